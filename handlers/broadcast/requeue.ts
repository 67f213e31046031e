import type { FanoutState } from '../../models/delivery.js';
import type { BroadcastDeps } from './ports.js';

/**
 * Queue again every batch of a notice that has not finished, by the tally's per-batch figures
 * (a batch that never recorded anything counts as unfinished). Job ids are deterministic, so a
 * batch whose job still exists is untouched; one whose job was lost (a Redis restart without
 * persistence, a job removed by hand) gets it back, and one whose job failed for good is retried.
 * Used by the fan-out watcher when a broadcast stops making progress. O(batches) in Redis.
 */
export async function requeueUnfinished(
  deps: Pick<BroadcastDeps, 'store' | 'jobs'>,
  state: Pick<FanoutState, '_id' | 'batches'>,
  urgent: boolean,
): Promise<number> {
  const noticeId = String(state._id);
  const tallies = await deps.store.batchTallies(noticeId);
  const open: number[] = [];
  for (let n = 0; n < state.batches; n++) {
    const t = tallies.get(n);
    if (!t || t.finished < t.size) open.push(n);
  }
  return open.length ? deps.jobs.requeueBatches(open.map((batchNo) => ({ noticeId, batchNo, urgent }))) : 0;
}
