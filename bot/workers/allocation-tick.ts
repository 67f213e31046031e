import { Worker } from 'bullmq';
import { allocationTick } from '../../handlers/allocations/tick.js';
import { redisAllocationLedger } from '../allocations/ledger.js';
import { queueBulkMessages } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: the repeatable `allocation-tick` job (every minute) → allocationTick. */
export function allocationTickWorker(rt: Runtime): Worker {
  const deps = { models: rt.models, clock: rt.clock, allocations: redisAllocationLedger(rt.redis), bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages) };
  return new Worker(QUEUE_NAMES.allocationTick, async () => allocationTick(deps), { connection: rt.redis, prefix: 'linli', concurrency: 1 });
}
