/**
 * The audit of a fact-check (`POST /api/rumors/fact-checks/:id/<action>`), the same three-level
 * audit as notices: verify → edit → release by three different people, none of them the author
 * (or, in a correction round, the corrector); reject sends a pre-release stage back to draft.
 * Release publishes the text (the release entry's diff records exactly what residents are told
 * from then on), tells every process, and tells the askers and earlier readers. Withdraw takes a
 * fact-check out of the fact base.
 */
import type { FactCheck } from '../../models/fact-check.js';
import type { Duty } from '../../models/staff-user.js';
import { AppError } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { applyTransition, DUTY_STEP, rejectToDraft } from '../audit/workflow.js';
import { fieldDiff } from '../audit/diff.js';
import { factCheckTarget, loadFactCheck, publishable, FACT_CHECK_CONTENT, type RumorDeps } from './deps.js';
import { factCheckRef, type FactCheckRef } from './fact-checks.js';
import { notifyRelease } from './notify.js';
import { AuditAction, ChangeFactCheck, RejectAction } from './schemas.js';
import { parseBody } from '../input.js';

const coAuthors = (f: FactCheck) => (f.correctedBy ? [f.correctedBy] : []);

async function duty(deps: RumorDeps, actor: Actor, id: string, d: Exclude<Duty, 'edit'>, raw: unknown): Promise<FactCheck> {
  const { comment, version } = parseBody(AuditAction, raw);
  const f = await loadFactCheck(deps.models, id);
  const { from, to } = DUTY_STEP[d];
  const published = d === 'release' ? publishable(f, f.version + 1) : undefined;
  if (published && f.published) published.corrects = f.published.version;
  return applyTransition(deps, factCheckTarget(deps.models), f, actor, {
    action: d,
    duty: d,
    from: [from],
    to,
    comment,
    expectedVersion: version,
    coAuthors: coAuthors(f),
    ...(published ? { diff: { published: { from: f.published ?? null, to: published } } } : {}),
  });
}

/** `verify` duty: draft → verified. */
export async function verifyFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  return factCheckRef(await duty(deps, actor, id, 'verify', raw));
}

/** `edit` duty: verified → edited, optionally changing the text (recorded as a diff). */
export async function editFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  const { comment, version, ...changes } = parseBody(ChangeFactCheck, raw);
  const f = await loadFactCheck(deps.models, id);
  const { from, to } = DUTY_STEP.edit;
  return factCheckRef(
    await applyTransition(deps, factCheckTarget(deps.models), f, actor, {
      action: 'edit',
      duty: 'edit',
      from: [from],
      to,
      comment,
      diff: fieldDiff(f as unknown as Record<string, unknown>, changes, FACT_CHECK_CONTENT),
      expectedVersion: version,
      coAuthors: coAuthors(f),
    }),
  );
}

/**
 * `release` duty: edited → released. What counts is the release entry; telling the other
 * processes and the residents follows, and if it fails the answer says so (`notified: false`)
 * and the notify sweep (bot/schedules.ts) does it later.
 */
export async function releaseFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef & { notified: boolean }> {
  const released = await duty(deps, actor, id, 'release', raw);
  let notified = false;
  try {
    await deps.facts.announce({ kind: 'fact-check', id });
    await notifyRelease(deps, released);
    notified = true;
  } catch (err) {
    deps.log?.warn({ err, factCheckId: id }, 'released fact-check not announced or notified yet; the sweep will');
  }
  return { ...factCheckRef(released), notified };
}

/** Any audit duty, comment required: a pre-release stage back to draft, in a new round. */
export async function rejectFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  const input = parseBody(RejectAction, raw);
  const f = await loadFactCheck(deps.models, id);
  return factCheckRef(await rejectToDraft(deps, factCheckTarget(deps.models), f, actor, input));
}

/**
 * Take a fact-check out of the fact base for good (→ cancelled): a `release` duty holder at any
 * stage, or the author of a draft never released. Residents are no longer answered with it; a
 * pending claim it was written for is free for another fact-check.
 */
export async function withdrawFactCheck(deps: RumorDeps, actor: Actor, id: string, raw: unknown): Promise<FactCheckRef> {
  const { comment, version } = parseBody(AuditAction, raw);
  const f = await loadFactCheck(deps.models, id);
  const releaser = actor.duties.includes('release');
  if (!releaser && !(f.authorId === actor.id && !f.published)) {
    throw new AppError('forbidden_duty', 'withdrawing needs the "release" duty (or being the author of a draft never released)', { duty: 'release' });
  }
  const withdrawn = await applyTransition(deps, factCheckTarget(deps.models), f, actor, {
    action: 'withdraw',
    from: ['draft', 'verified', 'edited', 'released'],
    to: 'cancelled',
    comment,
    expectedVersion: version,
    ...(f.published ? { diff: { published: { from: f.published, to: null } } } : {}),
  });
  await deps.models.Claim.updateMany({ factCheckId: id, status: 'pending' }, { $set: { factCheckId: null } });
  await deps.facts
    .announce({ kind: 'fact-check', id })
    .catch((err) => deps.log?.warn({ err, factCheckId: id }, 'withdrawal not announced; the reconcile will'));
  return factCheckRef(withdrawn);
}
