import { Worker } from 'bullmq';
import { notifyOutstanding } from '../../handlers/rumors/notify.js';
import { queueBulkMessages } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import { lazyFactBase } from '../rumors/live-base.js';
import type { Runtime } from '../runtime.js';

/**
 * Thin adapter: the repeatable `fact-check-notify` sweep → notifyOutstanding, which tells the
 * askers and earlier readers of any release whose own notification did not finish.
 */
export function factCheckNotifyWorker(rt: Runtime): Worker {
  const deps = { models: rt.models, clock: rt.clock, facts: lazyFactBase(rt), bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages), log: rt.log };
  return new Worker(QUEUE_NAMES.factCheckNotify, async () => notifyOutstanding(deps), { connection: rt.redis, prefix: 'linli', concurrency: 1 });
}
