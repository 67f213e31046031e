import type { Models } from '../../models/index.js';
import type { FactCheck, FactCheckContent, PublishedFactCheck } from '../../models/fact-check.js';
import type { AuditDeps, AuditTarget } from '../audit/workflow.js';
import { loadSubject } from '../audit/workflow.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';
import type { HandlerLog } from '../ports.js';
import type { FactBase, FactCheckCard } from './ports.js';

/** What the fact-check and claim use cases need; the rim builds it from the runtime. */
export interface RumorDeps extends AuditDeps {
  facts: FactBase;
  /** Askers and earlier readers are told through it (kind `fact-check`, ref `<id>@<version>`). */
  bulk: BulkMessages;
  log?: HandlerLog;
}

/** The fields staff write and the audit reviews; `published` is set by release and withdrawal entries. */
export const FACT_CHECK_CONTENT = ['lang', 'claim', 'verdict', 'explanation', 'source', 'aliases'] as const;

/** Fact-checks as an audited subject: entries filed under `fact_check`. */
export const factCheckTarget = (models: Models): AuditTarget => ({
  subjectType: 'fact_check',
  noun: 'fact-check',
  model: models.FactCheck,
  contentFields: [...FACT_CHECK_CONTENT, 'published'],
  stamps: { release: 'releasedAt', withdraw: 'withdrawnAt' },
  // The author of a correction round: they may change its draft and perform none of its duties.
  actors: { correct: 'correctedBy' },
});

/** A fact-check (404 when missing), its audit trail complete. */
export function loadFactCheck(models: Models, id: string): Promise<FactCheck> {
  return loadSubject<FactCheck>(models, factCheckTarget(models), id);
}

/** The published text as residents see it (null when nothing is published). */
export function cardOf(id: string, p: PublishedFactCheck | null | undefined): FactCheckCard | null {
  if (!p) return null;
  return { id, version: p.version, lang: p.lang, claim: p.claim, verdict: p.verdict, explanation: p.explanation, source: p.source };
}

/** Just the content fields (no source or aliases given: none). */
export const contentOf = (f: Omit<FactCheckContent, 'source' | 'aliases'> & { source?: string; aliases?: string[] }): FactCheckContent => ({
  lang: f.lang,
  claim: f.claim,
  verdict: f.verdict,
  explanation: f.explanation,
  source: f.source ?? '',
  aliases: f.aliases ?? [],
});

/** The content of a fact-check as the next release would publish it, at `version`. */
export const publishable = (f: FactCheck, version: number): PublishedFactCheck => ({ ...contentOf(f), version });
