/**
 * Claims: questions the released fact base could not answer. A resident's question joins the
 * pending claim that clearly asks the same (the process's index of pending claims), or opens one;
 * staff answer it by writing a fact-check for it or by choosing a released one, or dismiss it.
 */
import { claimAskIdFor, type Claim, type ClaimAsk } from '../../models/claim.js';
import type { FactCheck } from '../../models/fact-check.js';
import { derivedId } from '../../models/ids.js';
import type { Language } from '../../models/resident.js';
import { AppError, notFound } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { isDuplicateKey } from '../audit/chain.js';
import { normalizeText } from './matcher/index.js';
import { loadFactCheck, type RumorDeps } from './deps.js';
import { pendingClaim } from './fact-checks.js';
import { notifyRelease, recordReceipts, sendFactCheck } from './notify.js';
import { AnswerClaim, DismissClaim } from './schemas.js';
import { parseBody } from '../input.js';

/** What staff see of a claim's wording. */
export const CLAIM_TEXT_MAX = 500;
/** Identical texts asked at the same moment map to one id; a later generation starts after an answered or dismissed one. */
const MAX_GENERATIONS = 50;

export interface AskedClaim {
  claimId: string;
  /** Residents who asked it, this one included. */
  askCount: number;
  /** Joined a claim others had asked (false: opened it). */
  joined: boolean;
}

type ClaimDeps = Pick<RumorDeps, 'models' | 'clock' | 'facts' | 'bulk'>;

/**
 * A resident asks about a claim nothing answers: join the similar pending claim, or open one.
 * A new claim's id is derived from its normalised text, so identical messages forwarded by many
 * residents at once (a rumour going round a group chat) meet at one claim by a unique insert,
 * not a lost race; similar wordings meet through the pending-claims index.
 */
export async function askClaim(deps: ClaimDeps, a: { residentId: string; text: string; lang: Language }): Promise<AskedClaim> {
  const text = a.text.trim().slice(0, CLAIM_TEXT_MAX);
  const similar = await deps.facts.similarClaim(text, a.lang);
  const found = similar ? await deps.models.Claim.findById(similar).lean<Claim>() : null;
  if (found?.status === 'pending') return recordAsk(deps, found, a.residentId, text, true);
  const key = normalizeText(text) || text;
  const now = deps.clock.now();
  for (let generation = 0; generation < MAX_GENERATIONS; generation++) {
    const _id = derivedId('claim', key, generation);
    try {
      const doc = { _id, text, lang: a.lang, status: 'pending' as const, factCheckId: null, firstAskedAt: now, lastAskedAt: now };
      await deps.models.Claim.create(doc);
      await deps.facts.announce({ kind: 'claim', id: String(_id) });
      return recordAsk(deps, doc as Claim, a.residentId, text, false);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await deps.models.Claim.findById(_id).lean<Claim>();
      if (existing?.status === 'pending') return recordAsk(deps, existing, a.residentId, text, true);
    }
  }
  throw new Error(`claim "${key.slice(0, 40)}" was opened and closed ${MAX_GENERATIONS} times`);
}

/**
 * Record that a resident asked a claim read as pending. If it was answered meanwhile, the
 * release's notification may have read the askers before this ask landed, so the resident is
 * sent the answer here (the same bulk message, so never twice).
 */
export async function recordAsk(deps: ClaimDeps, claim: Pick<Claim, '_id'>, residentId: string, text: string, joined: boolean): Promise<AskedClaim> {
  const claimId = String(claim._id);
  const now = deps.clock.now();
  try {
    await deps.models.ClaimAsk.create({ _id: claimAskIdFor(claimId, residentId), claimId, residentId, text, at: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // asked before: counted once
  }
  if (joined) await deps.models.Claim.updateOne({ _id: claim._id }, { $max: { lastAskedAt: now } });
  const after = await deps.models.Claim.findById(claim._id, { status: 1, factCheckId: 1 }).lean<Pick<Claim, 'status' | 'factCheckId'>>();
  if (after?.status === 'answered' && after.factCheckId) {
    const f = await deps.models.FactCheck.findById(after.factCheckId).lean<FactCheck>();
    if (f?.published) {
      await recordReceipts(deps, String(f._id), f.published.version, [residentId], 'asked');
      await sendFactCheck(deps, f, [residentId]);
    }
  }
  return { claimId, askCount: await deps.models.ClaimAsk.countDocuments({ claimId }), joined };
}

/** Ask counts of claims, from the ClaimAsk records (one `$group`). */
export async function askCounts(deps: Pick<RumorDeps, 'models'>, claimIds: string[]): Promise<Map<string, number>> {
  if (!claimIds.length) return new Map();
  const rows = await deps.models.ClaimAsk.aggregate<{ _id: string; n: number }>([
    { $match: { claimId: { $in: claimIds } } },
    { $group: { _id: '$claimId', n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.n]));
}

export const claimView = (c: Claim, askCount: number) => ({
  id: String(c._id),
  text: c.text,
  lang: c.lang,
  status: c.status,
  askCount,
  factCheckId: c.factCheckId,
  firstAskedAt: c.firstAskedAt,
  lastAskedAt: c.lastAskedAt,
  answeredAt: c.answeredAt ?? null,
  dismissedAt: c.dismissedAt ?? null,
  comment: c.comment ?? null,
});

/** The released fact-checks the matcher would offer for a claim: staff's suggestions. */
async function suggestionsFor(deps: Pick<RumorDeps, 'facts'>, c: Claim) {
  const { candidates } = await deps.facts.check(c.text, c.lang);
  return candidates.map((x) => ({ id: x.id, claim: x.claim, verdict: x.verdict, score: Math.round(x.score * 1000) / 1000 }));
}

/** `GET /api/rumors/claims`: by how many residents asked (most first), then the latest asked. */
export async function listClaims(deps: Pick<RumorDeps, 'models' | 'facts'>, q: { status: Claim['status']; limit: number }) {
  const claims = await deps.models.Claim.find({ status: q.status }).lean<Claim[]>();
  const counts = await askCounts(
    deps,
    claims.map((c) => String(c._id)),
  );
  const n = (c: Claim) => counts.get(String(c._id)) ?? 0;
  const top = claims.sort((x, y) => n(y) - n(x) || y.lastAskedAt.getTime() - x.lastAskedAt.getTime()).slice(0, q.limit);
  return {
    claims: await Promise.all(top.map(async (c) => ({ ...claimView(c, n(c)), suggestions: c.status === 'pending' ? await suggestionsFor(deps, c) : [] }))),
    total: claims.length,
  };
}

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

/** `GET /api/rumors/claims/:id`: the claim, the wordings residents used, suggestions. */
export async function getClaim(deps: Pick<RumorDeps, 'models' | 'facts'>, id: string) {
  const c = isObjectId(id) ? await deps.models.Claim.findById(id).lean<Claim>() : null;
  if (!c) throw notFound('claim');
  const asks = await deps.models.ClaimAsk.find({ claimId: id }, { text: 1, at: 1 }).sort({ at: 1 }).lean<Pick<ClaimAsk, 'text' | 'at'>[]>();
  return {
    claim: { ...claimView(c, asks.length), wordings: [...new Set(asks.map((a) => a.text))].slice(0, 20) },
    suggestions: c.status === 'pending' ? await suggestionsFor(deps, c) : [],
  };
}

/**
 * `POST /api/rumors/claims/:id/answer`: answer a pending claim with an existing fact-check. If it
 * is released the askers are told at once; otherwise when it is.
 */
export async function answerClaim(deps: RumorDeps, _actor: Actor, id: string, raw: unknown) {
  const { factCheckId } = parseBody(AnswerClaim, raw);
  const claim = await pendingClaim(deps, id);
  const f = await loadFactCheck(deps.models, factCheckId);
  if (f.status === 'cancelled') throw new AppError('conflict_state', 'that fact-check was withdrawn', { status: f.status });
  await deps.models.Claim.updateOne({ _id: claim._id }, { $set: { factCheckId } });
  const told = f.published ? (await notifyRelease(deps, f)).recipients : 0;
  const now = await deps.models.Claim.findById(claim._id).lean<Claim>();
  return { claim: claimView(now!, (await askCounts(deps, [id])).get(id) ?? 0), notified: told };
}

/** `POST /api/rumors/claims/:id/dismiss`: not worth a fact-check (spam, not a claim); the askers are not told. */
export async function dismissClaim(deps: RumorDeps, actor: Actor, id: string, raw: unknown) {
  const { comment } = parseBody(DismissClaim, raw);
  const claim = await pendingClaim(deps, id);
  await deps.models.Claim.updateOne({ _id: claim._id }, { $set: { status: 'dismissed', dismissedAt: deps.clock.now(), dismissedBy: actor.id, comment } });
  await deps.facts.announce({ kind: 'claim', id });
  const now = await deps.models.Claim.findById(claim._id).lean<Claim>();
  return { claim: claimView(now!, (await askCounts(deps, [id])).get(id) ?? 0) };
}
