/**
 * A cancelled notice's unsent deliveries. The deliver step checks the notice before every send,
 * so a cancel takes effect on its own; this sweep saves the queue (and the rate limit) from
 * working through the rest one job at a time: it removes the deliver jobs that are not running,
 * then marks the records still `pending` as `cancelled` — each under the delivery's lease, like a
 * deliverer, so a record is never written by two parties at once.
 */
import { Types } from 'mongoose';
import type { Delivery } from '../../models/delivery.js';
import { CLAIM_LEASE_MS } from './deliver.js';
import { SWEEP_OWNER_PREFIX, type BroadcastDeps } from './ports.js';

const BATCH = 500;
const PARALLEL = 16;

/** Returns how many deliveries this sweep cancelled. */
export async function sweepCancelled(
  deps: Pick<BroadcastDeps, 'models' | 'jobs' | 'store' | 'clock' | 'owner' | 'leaseMs'>,
  noticeId: string,
): Promise<number> {
  // One query for the list (on FerretDB 1.x a scan of the collection, once per cancel).
  const pending = await deps.models.Delivery.find({ noticeId: new Types.ObjectId(noticeId), status: 'pending' }, { _id: 1 }).lean();
  let cancelled = 0;
  for (let i = 0; i < pending.length; i += BATCH) {
    const ids = pending.slice(i, i + BATCH).map((d) => String(d._id));
    await deps.jobs.removeDeliveries(ids);
    for (let j = 0; j < ids.length; j += PARALLEL) {
      const done = await Promise.all(ids.slice(j, j + PARALLEL).map((id) => cancelOne(deps, id)));
      cancelled += done.filter(Boolean).length;
    }
  }
  return cancelled;
}

async function cancelOne(deps: Pick<BroadcastDeps, 'models' | 'store' | 'clock' | 'owner' | 'leaseMs'>, id: string): Promise<boolean> {
  const owner = SWEEP_OWNER_PREFIX + deps.owner();
  const claim = await deps.store.acquire(id, owner, deps.leaseMs ?? CLAIM_LEASE_MS);
  if (!claim.ok) return false; // a deliverer holds it and will see the cancel
  try {
    const d = await deps.models.Delivery.findById(id).lean<Delivery>();
    if (d?.status !== 'pending') return false;
    await deps.models.Delivery.updateOne({ _id: d._id }, { $set: { status: 'cancelled', finishedAt: deps.clock.now() } });
    return true;
  } finally {
    await deps.store.release(id, owner);
  }
}
