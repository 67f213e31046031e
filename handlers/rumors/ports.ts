/**
 * What the rumour use cases need from the rim: the process's in-memory fact base (released
 * fact-checks and pending claims, kept fresh across processes) and a way to tell every process
 * that one changed. `bot/rumors/` implements both with Redis pub/sub.
 */
import type { Language } from '../../models/resident.js';
import type { FactCheckCard, RumorCheck, ScoredCard } from '../../flows/rumors/card.js';

export type { FactCheckCard, RumorCheck, ScoredCard };

export type RumorChange = { kind: 'fact-check'; id: string } | { kind: 'claim'; id: string } | { kind: 'all' };

export interface FactBase {
  /** Match a resident's text against the released fact-checks (resolves once the base is loaded). */
  check(text: string, lang?: Language): Promise<RumorCheck>;
  /** The pending claim clearly asking the same thing, if any. */
  similarClaim(text: string, lang?: Language): Promise<string | null>;
  /**
   * Tell every process (this one included) that a fact-check or claim changed: released,
   * corrected, withdrawn, opened, answered. Each re-reads it by id.
   */
  announce(change: RumorChange): Promise<void>;
}
