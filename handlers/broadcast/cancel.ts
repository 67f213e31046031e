/**
 * A cancelled notice's batches that have not run. Every batch run looks at the notice before
 * each send, so a cancel takes effect on its own; this sweep saves the queue (and the rate limit)
 * from starting each queued batch only to find the notice cancelled: it removes the batch jobs
 * that are not running, by their ids — the fan-out numbered the batches, so nothing is searched.
 * Deliveries that never got a final outcome read `cancelled` (models/delivery.ts).
 */
import { fanoutStates } from './state.js';
import type { BroadcastDeps } from './ports.js';

const CHUNK = 500;

/** Returns how many batch jobs this sweep removed. */
export async function sweepCancelled(deps: Pick<BroadcastDeps, 'models' | 'jobs'>, noticeId: string): Promise<number> {
  const state = await fanoutStates(deps.models).findById(noticeId, { batches: 1 }).lean();
  const batches = state?.batches ?? 0;
  let removed = 0;
  for (let i = 0; i < batches; i += CHUNK) {
    removed += await deps.jobs.removeBatches(
      noticeId,
      Array.from({ length: Math.min(CHUNK, batches - i) }, (_, k) => i + k),
    );
  }
  return removed;
}
