/**
 * Writing fact-checks: a draft (for a pending claim, or on its own), the author's changes to it,
 * and a correction of a released one — which goes through the whole audit again while residents
 * keep getting the released text (see models/fact-check.ts).
 */
import { Types } from 'mongoose';
import type { Claim } from '../../models/claim.js';
import type { FactCheck } from '../../models/fact-check.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { applyTransition, createSubject } from '../audit/workflow.js';
import { fieldDiff } from '../audit/diff.js';
import { contentOf, FACT_CHECK_CONTENT, factCheckTarget, loadFactCheck, type RumorDeps } from './deps.js';
import { ChangeFactCheck, CLAIM_MAX, CorrectFactCheck, CreateFactCheck, CreateForClaim } from './schemas.js';
import { parseBody } from '../input.js';

export interface FactCheckRef {
  id: string;
  status: FactCheck['status'];
  version: number;
  round: number;
  /** The version residents are told (null: nothing released). */
  publishedVersion: number | null;
}
export const factCheckRef = (f: FactCheck): FactCheckRef => ({
  id: String(f._id),
  status: f.status,
  version: f.version,
  round: f.round,
  publishedVersion: f.published?.version ?? null,
});

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

/** A claim staff may still answer (404 when missing, 409 once answered or dismissed). */
export async function pendingClaim(deps: RumorDeps, claimId: string): Promise<Claim> {
  const claim = isObjectId(claimId) ? await deps.models.Claim.findById(claimId).lean<Claim>() : null;
  if (!claim) throw notFound('claim');
  if (claim.status !== 'pending') throw new AppError('conflict_state', `the claim is ${claim.status}`, { status: claim.status });
  return claim;
}

/**
 * A claim has one fact-check in the making at a time: answering it again is 409 while the first
 * is not withdrawn.
 */
async function requireUnanswered(deps: RumorDeps, claim: Claim): Promise<void> {
  if (!claim.factCheckId) return;
  const other = await deps.models.FactCheck.findById(claim.factCheckId, { status: 1 }).lean<Pick<FactCheck, 'status'>>();
  if (other && other.status !== 'cancelled')
    throw new AppError('conflict_state', `the claim already has fact-check ${claim.factCheckId} (${other.status})`, { factCheckId: claim.factCheckId });
}

/**
 * `POST /api/rumors/fact-checks` and `POST /api/rumors/claims/:id/fact-check`: a draft; the
 * `create` entry records its whole content. For a claim, the claim's text and language are the
 * default and the claim is linked, so its askers are told when the fact-check is released.
 */
export async function createFactCheck(deps: RumorDeps, actor: Actor, raw: unknown, forClaim?: string): Promise<FactCheckRef & { claimId: string | null }> {
  const input = forClaim ? { ...parseBody(CreateForClaim, raw), claimId: forClaim } : parseBody(CreateFactCheck, raw);
  const claim = input.claimId ? await pendingClaim(deps, input.claimId) : null;
  if (claim) await requireUnanswered(deps, claim);
  const content = contentOf({ ...input, lang: input.lang ?? claim!.lang, claim: input.claim ?? claim!.text.slice(0, CLAIM_MAX) });
  const created = await createSubject<FactCheck>(
    deps,
    factCheckTarget(deps.models),
    actor,
    { _id: new Types.ObjectId(), ...content, published: null, origin: 'staff', notifiedVersion: 0 },
    { diff: fieldDiff({}, { ...content }, FACT_CHECK_CONTENT), ...(claim ? { meta: { claimId: String(claim._id) } } : {}) },
  );
  if (claim) await deps.models.Claim.updateOne({ _id: claim._id }, { $set: { factCheckId: String(created._id) } });
  return { ...factCheckRef(created), claimId: claim ? String(claim._id) : null };
}

/** Who writes the current round's draft: the author, or in a correction round its corrector. */
export const draftAuthor = (f: FactCheck) => (f.round > 1 && f.correctedBy ? f.correctedBy : f.authorId);

/**
 * `PATCH /api/rumors/fact-checks/:id`: the draft's author changes it (403 not_author for anyone
 * else, 409 once verified). A patch that changes nothing records nothing.
 */
export async function updateFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  const f = await loadFactCheck(deps.models, id);
  if (draftAuthor(f) !== actor.id) throw new AppError('not_author', 'only the author of the draft may change it; reviewers use edit');
  const { comment, version, ...changes } = parseBody(ChangeFactCheck, raw);
  if (!Object.keys(changes).length) throw invalid('nothing to change: give lang, claim, verdict, explanation, source or aliases');
  const diff = fieldDiff(f as unknown as Record<string, unknown>, changes, FACT_CHECK_CONTENT);
  if (!diff && f.status === 'draft' && (version === undefined || version === f.version)) return factCheckRef(f);
  return factCheckRef(
    await applyTransition(deps, factCheckTarget(deps.models), f, actor, {
      action: 'update',
      from: ['draft'],
      to: 'draft',
      ...(diff ? { diff } : {}),
      comment,
      expectedVersion: version,
    }),
  );
}

/**
 * `POST /api/rumors/fact-checks/:id/correct`: a released fact-check goes back to draft in a new
 * audit round, with the changes and the reason; residents keep getting the released text until
 * the correction is verified, edited and released by three people other than its author.
 */
export async function correctFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  const { comment, version, ...changes } = parseBody(CorrectFactCheck, raw);
  const f = await loadFactCheck(deps.models, id);
  return factCheckRef(
    await applyTransition(deps, factCheckTarget(deps.models), f, actor, {
      action: 'correct',
      from: ['released'],
      to: 'draft',
      newRound: true,
      diff: fieldDiff(f as unknown as Record<string, unknown>, changes, FACT_CHECK_CONTENT),
      comment,
      expectedVersion: version,
    }),
  );
}
