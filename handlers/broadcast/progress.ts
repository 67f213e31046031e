/**
 * A broadcast's figures while it runs, at the cost of two lookups by key: the fan-out's record
 * count (FanoutState, by `_id`) and the tally the deliveries keep as they finish (the store).
 *
 * Why next to `noticeProgress` (handlers/notices/progress.ts), which counts the Delivery records
 * with one `$match` + `$group`: that is exact and, on MongoDB, answered from the
 * `{noticeId, status}` index — but FerretDB 1.x (SQLite) answers every non-`_id` filter by
 * scanning the whole collection (2.8 s for 100,000 deliveries on the reference machine), too much
 * for a dashboard polling a running broadcast. The tally can only undercount (a worker that died
 * between writing a record and counting it), so `pending` may read a few high after a crash;
 * `noticeProgress` stays the exact figure for finished broadcasts and for reports.
 */
import { fanoutStates } from './state.js';
import type { BroadcastStore } from './ports.js';
import type { Models } from '../../models/index.js';
import type { NoticeProgress } from '../notices/progress.js';

export async function liveProgress(
  deps: { models: Models; store: Pick<BroadcastStore, 'tally'> },
  noticeId: string,
): Promise<NoticeProgress & { fanoutDone: boolean }> {
  const [state, tally] = await Promise.all([fanoutStates(deps.models).findById(noticeId).lean(), deps.store.tally(noticeId)]);
  const total = state?.total ?? state?.created ?? 0;
  return { total, sent: tally.sent, failed: tally.failed, pending: Math.max(0, total - tally.sent - tally.failed), cancelled: 0, fanoutDone: !!state?.done };
}
