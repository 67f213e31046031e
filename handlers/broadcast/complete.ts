/**
 * When is a broadcast complete? When its fan-out has written every batch and the notice's tally
 * counts every recipient finished (sent or failed). The tally is kept per batch and set, not
 * added to, by each batch run (a run after a crash sets it again), so it is exact and costs one
 * Redis read — no delivery is counted one by one. Checked by the batch run that finishes last
 * and, as a fallback, by the fan-out job, which stays behind as a watcher until then. Marking is
 * idempotent: `markCompleted` changes only a released or sending notice.
 */
import { Types } from 'mongoose';
import { markCompleted } from '../notices/broadcast-state.js';
import type { NoticeProgress } from '../notices/progress.js';
import { fanoutStates } from './state.js';
import type { BroadcastDeps } from './ports.js';

export interface CompletionCheck {
  complete: boolean;
  /** Finished deliveries per the tally (null before the fan-out is done). */
  finished: number | null;
  progress: NoticeProgress | null;
}

/** True when the notice is (now, or already) complete. */
export async function checkCompletion(deps: Pick<BroadcastDeps, 'models' | 'clock' | 'store'>, noticeId: string): Promise<CompletionCheck> {
  const state = await fanoutStates(deps.models).findById(noticeId).lean();
  if (!state?.done) return { complete: false, finished: null, progress: null };
  if (state.completedAt) return { complete: true, finished: state.total, progress: null };
  const total = state.total ?? 0;
  const t = await deps.store.tally(noticeId);
  const progress: NoticeProgress = { total, sent: t.sent, failed: t.failed, pending: Math.max(0, total - t.finished), cancelled: 0 };
  if (t.finished < total) return { complete: false, finished: t.finished, progress };
  await markCompleted(deps, noticeId, { total, sent: t.sent, failed: t.failed, cancelled: 0 });
  await fanoutStates(deps.models).updateOne({ _id: new Types.ObjectId(noticeId) }, { $set: { completedAt: deps.clock.now() } });
  return { complete: true, finished: t.finished, progress };
}
