import type { AuditStatus } from '../../models/audit-entry.js';
import type { Notice } from '../../models/notice.js';
import { AppError } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { applyTransition, DUTY_STEP, rejectToDraft } from '../audit/workflow.js';
import { fieldDiff } from '../audit/diff.js';
import { loadNotice, noticeTarget, type NoticeDeps } from './deps.js';
import { ref, type NoticeRef } from './drafts.js';
import { parseAction, parseEdit } from './validate.js';
import { queueBroadcast } from './broadcast-state.js';

/** `POST /api/notices/:id/verify` (duty `verify`): draft → verified. */
export async function verifyNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef> {
  const input = parseAction(raw);
  const notice = await loadNotice(deps.models, id);
  const { from, to } = DUTY_STEP.verify;
  return ref(
    await applyTransition(deps, noticeTarget(deps.models), notice, actor, {
      action: 'verify',
      duty: 'verify',
      from: [from],
      to,
      comment: input.comment,
      expectedVersion: input.version,
    }),
  );
}

/**
 * `POST /api/notices/:id/edit` (duty `edit`): verified → edited, optionally changing title and
 * body; the change is recorded as a diff (with a line diff for multi-line bodies).
 */
export async function editNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef> {
  const { comment, version, ...changes } = parseEdit(raw);
  const notice = await loadNotice(deps.models, id);
  const diff = fieldDiff(notice as unknown as Record<string, unknown>, changes, ['title', 'body']);
  const { from, to } = DUTY_STEP.edit;
  return ref(
    await applyTransition(deps, noticeTarget(deps.models), notice, actor, {
      action: 'edit',
      duty: 'edit',
      from: [from],
      to,
      comment,
      diff,
      expectedVersion: version,
    }),
  );
}

/**
 * `POST /api/notices/:id/release` (duty `release`): edited → released, then start the broadcast
 * through the port (at once, or delayed to `sendAt`). The state change is what counts: if
 * queueing fails the notice stays released, the answer says `broadcastQueued: false`, and
 * `resumeReleasedBroadcasts` (run by the workers) queues it later.
 */
export async function releaseNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef & { broadcastQueued: boolean }> {
  const input = parseAction(raw);
  const notice = await loadNotice(deps.models, id);
  const { from, to } = DUTY_STEP.release;
  const released = await applyTransition(deps, noticeTarget(deps.models), notice, actor, {
    action: 'release',
    duty: 'release',
    from: [from],
    to,
    comment: input.comment,
    expectedVersion: input.version,
    meta: { urgent: notice.urgent, sendAt: notice.sendAt ?? null },
  });
  return { ...ref(released), broadcastQueued: await queueBroadcast(deps, released) };
}

/**
 * `POST /api/notices/:id/reject` (any audit duty; comment required): a pre-release notice goes
 * back to draft and a new audit round starts (see checkSeparation for what that resets).
 */
export async function rejectNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef> {
  const input = parseAction(raw, true);
  const notice = await loadNotice(deps.models, id);
  return ref(
    await rejectToDraft(deps, noticeTarget(deps.models), notice, actor, {
      comment: input.comment ?? '',
      ...(input.version !== undefined ? { version: input.version } : {}),
    }),
  );
}

const PRE_RELEASE: readonly AuditStatus[] = ['draft', 'verified', 'edited'];
const BROADCASTING: readonly AuditStatus[] = ['released', 'sending'];

/**
 * `POST /api/notices/:id/cancel`: stop a notice for good. The author may withdraw their own
 * notice before release; a holder of the `release` duty may cancel at any stage before
 * completion (the power to start a broadcast includes the power to stop one). A still-waiting
 * fan-out job is removed; running workers see `cancelled` and stop.
 */
export async function cancelNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef & { fanoutRemoved: boolean }> {
  const input = parseAction(raw);
  const notice = await loadNotice(deps.models, id);
  const releaser = actor.duties.includes('release');
  const isAuthor = notice.authorId === actor.id;
  if (!releaser && !(isAuthor && PRE_RELEASE.includes(notice.status))) {
    throw new AppError(
      'forbidden_duty',
      isAuthor
        ? 'a released notice can only be cancelled by a holder of the "release" duty'
        : 'cancelling needs the "release" duty (or being the author, before release)',
      { duty: 'release' },
    );
  }
  const from = releaser ? [...PRE_RELEASE, ...BROADCASTING] : PRE_RELEASE;
  const cancelled: Notice = await applyTransition(deps, noticeTarget(deps.models), notice, actor, {
    action: 'cancel',
    from,
    to: 'cancelled',
    comment: input.comment,
    expectedVersion: input.version,
  });
  let fanoutRemoved = false;
  if (BROADCASTING.includes(notice.status)) {
    try {
      fanoutRemoved = await deps.broadcast.cancelBroadcast(id);
    } catch (err) {
      // The workers check the status before every step, so a job left behind does nothing.
      deps.log?.warn({ err, noticeId: id }, 'could not remove the fan-out job of a cancelled notice');
    }
  }
  return { ...ref(cancelled), fanoutRemoved };
}
