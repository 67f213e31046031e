import { Worker } from 'bullmq';
import { remindHealthReports } from '../../handlers/health/reminder.js';
import { placesOf } from '../conversation.js';
import { queueBulkMessages } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: the repeatable `health-reminder` job (every minute) → remindHealthReports. */
export function healthReminderWorker(rt: Runtime): Worker {
  const deps = {
    models: rt.models,
    places: placesOf(rt),
    bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
    clock: rt.clock,
    at: rt.config.HEALTH_REMINDER_AT,
  };
  return new Worker(QUEUE_NAMES.healthReminder, async () => remindHealthReports(deps), { connection: rt.redis, prefix: 'linli', concurrency: 1 });
}
