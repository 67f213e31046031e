/**
 * The broadcast side of a notice's life cycle, for the fan-out/delivery workers: they drive
 * `released → sending → completed` through these functions (each an audit entry by the `system`
 * actor plus one conditional update), and check `status === 'cancelled'` before each step.
 */
import type { AuditStatus } from '../../models/audit-entry.js';
import type { Notice } from '../../models/notice.js';
import { AppError } from '../errors.js';
import { applyTransition, SYSTEM_ACTOR, type AuditDeps } from '../audit/workflow.js';
import { loadNotice, noticeTarget, type NoticeDeps } from './deps.js';

/** Start the broadcast through the port; false (logged) when the queue is unreachable. */
export async function queueBroadcast(deps: NoticeDeps, notice: Notice): Promise<boolean> {
  const noticeId = String(notice._id);
  try {
    await deps.broadcast.startBroadcast(noticeId, { urgent: notice.urgent, sendAt: notice.sendAt ?? null });
    return true;
  } catch (err) {
    deps.log?.error({ err, noticeId }, 'released notice could not be queued for broadcast; resumeReleasedBroadcasts will retry');
    return false;
  }
}

/**
 * Queue the fan-out of every notice still `released` (run it at worker start-up and from time to
 * time): a release whose queue was unreachable gets its broadcast. Harmless for the others,
 * because startBroadcast is idempotent per notice. Returns how many were (re)queued.
 */
export async function resumeReleasedBroadcasts(deps: NoticeDeps): Promise<number> {
  const released = await deps.models.Notice.find({ status: 'released' }, { createEntry: 0 }).lean<Notice[]>();
  let queued = 0;
  for (const n of released) if (await queueBroadcast(deps, n)) queued++;
  return queued;
}

async function systemStep(
  deps: AuditDeps,
  noticeId: string,
  action: string,
  from: readonly AuditStatus[],
  to: AuditStatus,
  meta?: Record<string, unknown>,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const notice = await loadNotice(deps.models, noticeId);
    if (!from.includes(notice.status)) return false;
    try {
      await applyTransition(deps, noticeTarget(deps.models), notice, SYSTEM_ACTOR, { action, from, to, ...(meta ? { meta } : {}) });
      return true;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'conflict_state')) throw err;
    }
  }
  return false;
}

/**
 * released → sending (the fan-out has started). True when this call made the change; false when
 * the notice is not `released` (already sending, cancelled…), so a retried job can call it again.
 */
export function markSending(deps: AuditDeps, noticeId: string): Promise<boolean> {
  return systemStep(deps, noticeId, 'sending', ['released'], 'sending');
}

/**
 * released | sending → completed (every delivery is sent or failed). `summary` (e.g. the final
 * progress counts) is recorded in the audit entry's `meta`. Same return contract as markSending.
 */
export function markCompleted(deps: AuditDeps, noticeId: string, summary?: Record<string, unknown>): Promise<boolean> {
  return systemStep(deps, noticeId, 'complete', ['released', 'sending'], 'completed', summary);
}
