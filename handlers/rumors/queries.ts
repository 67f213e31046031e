/** Reading fact-checks and matching a text, for staff. */
import type { FactCheck } from '../../models/fact-check.js';
import type { AuditStatus } from '../../models/audit-entry.js';
import { auditTrail, roundDuties } from '../audit/chain.js';
import { auditEntryView } from '../notices/queries.js';
import { loadFactCheck, type RumorDeps } from './deps.js';
import { FactCheckListQuery, MatchQuery } from './schemas.js';
import { parseBody, parseQuery } from '../input.js';

const round3 = (n: number) => Math.round(n * 1000) / 1000;

const summaryView = (f: FactCheck) => ({
  id: String(f._id),
  lang: f.lang,
  claim: f.claim,
  verdict: f.verdict,
  status: f.status,
  version: f.version,
  publishedVersion: f.published?.version ?? null,
  origin: f.origin,
  author: { id: f.authorId, name: f.authorName },
  releasedAt: f.releasedAt ?? null,
  updatedAt: f.updatedAt,
});

/** `GET /api/rumors/fact-checks/:id`: the working text, what residents are told, who did each duty this round, the trail. */
export async function getFactCheck(deps: Pick<RumorDeps, 'models'>, id: string) {
  const f = await loadFactCheck(deps.models, id);
  const trail = await auditTrail(deps.models, 'fact_check', id);
  const claims = await deps.models.Claim.find({ factCheckId: id }, { text: 1, status: 1 }).lean<{ _id: unknown; text: string; status: string }[]>();
  return {
    factCheck: {
      ...summaryView(f),
      explanation: f.explanation,
      source: f.source,
      aliases: f.aliases,
      round: f.round,
      duties: roundDuties(trail, f.round),
      correctedBy: f.correctedBy ?? null,
      published: f.published,
      notifiedVersion: f.notifiedVersion ?? 0,
      withdrawnAt: f.withdrawnAt ?? null,
      claims: claims.map((c) => ({ id: String(c._id), text: c.text, status: c.status })),
    },
    audit: trail.map(auditEntryView),
  };
}

/** `GET /api/rumors/fact-checks?status=&limit=`: newest first. */
export async function listFactChecks(deps: Pick<RumorDeps, 'models'>, query: Record<string, unknown>) {
  const q = parseQuery(FactCheckListQuery, query);
  const rows = await deps.models.FactCheck.find(q.status ? { status: q.status as AuditStatus } : {}, { createEntry: 0 })
    .sort({ _id: -1 })
    .limit(q.limit)
    .lean<FactCheck[]>();
  return { factChecks: rows.map(summaryView) };
}

/**
 * `POST /api/rumors/match` `{text, lang?}`: what the bot would do with a resident's text — the
 * one fact-check it would answer with (null when none is sure enough, or two are too close) and
 * the candidates it would offer — from the same in-memory index.
 */
export async function matchRumor(deps: Pick<RumorDeps, 'facts'>, raw: unknown) {
  const { text, lang } = parseBody(MatchQuery, raw);
  const r = await deps.facts.check(text, lang);
  return {
    match: r.match ? { id: r.match.id, claim: r.match.claim, verdict: r.match.verdict, score: round3(r.match.score) } : null,
    candidates: r.candidates.map((c) => ({ id: c.id, claim: c.claim, score: round3(c.score) })),
  };
}
