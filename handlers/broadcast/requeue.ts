import { Types } from 'mongoose';
import type { BroadcastDeps } from './ports.js';

const BATCH = 500;

/**
 * Queue again every unfinished delivery of a notice. Deliver job ids are deterministic, so a
 * record whose job still exists is untouched; one whose job was lost (a Redis restart without
 * persistence, a job removed by hand) gets it back. Used by the fan-out watcher when a broadcast
 * stops making progress.
 */
export async function requeuePending(deps: Pick<BroadcastDeps, 'models' | 'jobs'>, noticeId: string, urgent: boolean): Promise<number> {
  const open = await deps.models.Delivery.find({ noticeId: new Types.ObjectId(noticeId), status: { $in: ['pending', 'sending'] } }, { _id: 1 }).lean();
  for (let i = 0; i < open.length; i += BATCH) {
    await deps.jobs.addDeliveries(open.slice(i, i + BATCH).map((d) => ({ deliveryId: String(d._id), urgent })));
  }
  return open.length;
}
