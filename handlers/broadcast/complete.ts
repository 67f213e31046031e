/**
 * When is a broadcast complete? When its fan-out has created every record and none is `pending`
 * or `sending`. Checked by the delivery that finishes last (the store's tally reached the total)
 * and, as a fallback for tallies lost in a crash, by the fan-out job, which stays behind as a
 * watcher until then. Marking is idempotent: `markCompleted` changes only a released or sending
 * notice.
 */
import { Types } from 'mongoose';
import { markCompleted } from '../notices/broadcast-state.js';
import { noticeProgress, type NoticeProgress } from '../notices/progress.js';
import { fanoutStates } from './state.js';
import type { BroadcastDeps } from './ports.js';

/** True when the notice is (now, or already) complete. */
export async function checkCompletion(
  deps: Pick<BroadcastDeps, 'models' | 'clock'>,
  noticeId: string,
): Promise<{ complete: boolean; progress: NoticeProgress | null }> {
  const state = await fanoutStates(deps.models).findById(noticeId).lean();
  if (!state?.done) return { complete: false, progress: null };
  if (state.completedAt) return { complete: true, progress: null };
  const progress = await noticeProgress(deps.models, noticeId);
  if (progress.pending > 0) return { complete: false, progress };
  await markCompleted(deps, noticeId, { total: progress.total, sent: progress.sent, failed: progress.failed, cancelled: progress.cancelled });
  await fanoutStates(deps.models).updateOne({ _id: new Types.ObjectId(noticeId) }, { $set: { completedAt: deps.clock.now() } });
  return { complete: true, progress };
}
