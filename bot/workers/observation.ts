import { Worker } from 'bullmq';
import { runObservation } from '../../handlers/returnees/observation.js';
import { inboundJobs, placesOf } from '../conversation.js';
import { queueBulkMessages } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: the repeatable `observation` job (every minute) → runObservation. */
export function observationWorker(rt: Runtime): Worker {
  const deps = {
    models: rt.models,
    places: placesOf(rt),
    bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
    clock: rt.clock,
    notifyAlert: inboundJobs(rt.queues).notifyAlert,
  };
  return new Worker(QUEUE_NAMES.observation, async () => runObservation(deps), { connection: rt.redis, prefix: 'linli', concurrency: 1 });
}
