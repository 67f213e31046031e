/**
 * The process's copy of the fact base: released fact-checks and pending claims, each in a
 * `RumorIndex`, with the cards residents are told. Filled from MongoDB (`reconcile`, at start and
 * periodically) and kept fresh entry by entry (`refresh`, on each pub/sub message).
 *
 * Reads can finish out of order (a periodic reconcile that read before a release may finish
 * after the release's refresh). So a fact-check is only replaced by a read of the same or a newer
 * audit version, and a reconcile removes only what no refresh touched since it began.
 */
import type { Models } from '../../models/index.js';
import type { Claim } from '../../models/claim.js';
import type { FactCheck } from '../../models/fact-check.js';
import type { Language } from '../../models/resident.js';
import { RumorIndex, type ScoredEntry } from '../../handlers/rumors/matcher/index.js';
import { cardOf } from '../../handlers/rumors/deps.js';
import type { FactCheckCard, RumorChange, RumorCheck } from '../../handlers/rumors/ports.js';

type FactDoc = Pick<FactCheck, '_id' | 'version' | 'published'>;
type ClaimDoc = Pick<Claim, '_id' | 'text' | 'lang' | 'status'>;

export class MemoryFactBase {
  private readonly facts = new RumorIndex();
  private readonly cards = new Map<string, FactCheckCard>();
  private readonly claims = new RumorIndex();
  /** Each indexed pending claim's text (to skip re-indexing an unchanged one). */
  private readonly claimTexts = new Map<string, string>();
  /** The audit version each fact-check was last applied at (kept after removal, as a tombstone). */
  private readonly known = new Map<string, number>();
  /** When (in `tick`s) each id was last refreshed on its own. */
  private readonly touched = new Map<string, number>();
  private tick = 0;

  constructor(private readonly models: Models) {}

  get size(): { factChecks: number; claims: number } {
    return { factChecks: this.facts.size, claims: this.claims.size };
  }

  /** The released text this process answers with for a fact-check (undefined: not in the base). */
  card(id: string): FactCheckCard | undefined {
    return this.cards.get(id);
  }

  check(text: string, lang?: Language): RumorCheck {
    const r = this.facts.match(text, lang);
    const card = (s: ScoredEntry) => ({ ...this.cards.get(s.id)!, score: s.score });
    return { match: r.match ? card(r.match) : null, candidates: r.candidates.map(card) };
  }

  similarClaim(text: string, lang?: Language): string | null {
    return this.claims.match(text, lang).match?.id ?? null;
  }

  /** Re-read what a change names (everything for `all`). */
  async refresh(change: RumorChange): Promise<void> {
    if (change.kind === 'all') return this.reconcile();
    this.touched.set(change.id, ++this.tick);
    if (change.kind === 'fact-check') {
      const doc = await this.models.FactCheck.findById(change.id, { version: 1, published: 1 }).lean<FactDoc>();
      this.applyFact(change.id, doc);
    } else {
      const doc = await this.models.Claim.findById(change.id, { text: 1, lang: 1, status: 1 }).lean<ClaimDoc>();
      this.applyClaim(change.id, doc);
    }
  }

  /** Read every released fact-check and pending claim and bring the indexes in line. */
  async reconcile(): Promise<void> {
    const began = ++this.tick;
    const [facts, claims] = await Promise.all([
      this.models.FactCheck.find({ published: { $ne: null } }, { version: 1, published: 1 }).lean<FactDoc[]>(),
      this.models.Claim.find({ status: 'pending' }, { text: 1, lang: 1, status: 1 }).lean<ClaimDoc[]>(),
    ]);
    const untouched = (id: string) => (this.touched.get(id) ?? 0) < began;
    const liveFacts = new Set(facts.map((f) => String(f._id)));
    for (const f of facts) this.applyFact(String(f._id), f);
    for (const id of [...this.cards.keys()]) if (!liveFacts.has(id) && untouched(id)) this.removeFact(id);
    const liveClaims = new Set(claims.map((c) => String(c._id)));
    for (const c of claims) if (untouched(String(c._id))) this.applyClaim(String(c._id), c);
    for (const id of [...this.claimTexts.keys()]) if (!liveClaims.has(id) && untouched(id)) this.removeClaim(id);
  }

  private applyFact(id: string, doc: FactDoc | null): void {
    const version = doc?.version ?? Number.POSITIVE_INFINITY; // deleted: nothing newer can follow
    if (version < (this.known.get(id) ?? 0)) return;
    this.known.set(id, version);
    const card = doc ? cardOf(id, doc.published) : null;
    if (!card) {
      this.removeFact(id);
      return;
    }
    if (this.cards.get(id)?.version === card.version) return;
    this.facts.upsert({ id, lang: card.lang, claim: card.claim, aliases: doc?.published?.aliases ?? [] });
    this.cards.set(id, card);
  }

  private removeFact(id: string): void {
    this.facts.remove(id);
    this.cards.delete(id);
  }

  private applyClaim(id: string, doc: ClaimDoc | null): void {
    if (doc?.status !== 'pending') {
      this.removeClaim(id);
      return;
    }
    if (this.claimTexts.get(id) === doc.text) return;
    this.claims.upsert({ id, lang: doc.lang, claim: doc.text });
    this.claimTexts.set(id, doc.text);
  }

  private removeClaim(id: string): void {
    this.claims.remove(id);
    this.claimTexts.delete(id);
  }
}
