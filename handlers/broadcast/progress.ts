/**
 * A broadcast's figures at the cost of two lookups by key: the fan-out's recipient count
 * (FanoutState, by `_id`) and the tally the batches keep in the store. What is neither sent nor
 * failed is `pending` while the notice is sending and `cancelled` once it is cancelled.
 *
 * Why next to `noticeProgress` (handlers/notices/progress.ts), which folds every batch's log: that
 * is exact from the database alone but reads O(batches) documents; a dashboard polling a running
 * broadcast gets these figures in two round trips instead. The tally is set per batch from the
 * batch's log by every run (a run after a crash sets it again), so the two agree.
 */
import { fanoutStates } from './state.js';
import type { BroadcastStore } from './ports.js';
import type { Models } from '../../models/index.js';
import type { NoticeProgress } from '../notices/progress.js';

export async function liveProgress(
  deps: { models: Models; store: Pick<BroadcastStore, 'tally'> },
  noticeId: string,
  o: { cancelled?: boolean } = {},
): Promise<NoticeProgress & { fanoutDone: boolean }> {
  const [state, tally] = await Promise.all([fanoutStates(deps.models).findById(noticeId).lean(), deps.store.tally(noticeId)]);
  const total = state?.total ?? state?.created ?? 0;
  const open = Math.max(0, total - tally.sent - tally.failed);
  return {
    total,
    sent: tally.sent,
    failed: tally.failed,
    pending: o.cancelled ? 0 : open,
    cancelled: o.cancelled ? open : 0,
    fanoutDone: !!state?.done,
  };
}
