/**
 * Repeatable jobs (BullMQ job schedulers: one per id, however many workers start), registered when
 * the workers start. Each runs a plain handler on its queue.
 */
import type { Runtime } from './runtime.js';

/** How often open supply requests are checked for "still needed?" (15 minutes). */
export const STILL_NEEDED_EVERY_MS = 15 * 60_000;
/** How often released fact-checks are checked for residents not told yet (a minute). */
export const FACT_CHECK_NOTIFY_EVERY_MS = 60_000;

/** The health reminder looks at each community's local time once a minute. */
export const HEALTH_REMINDER_EVERY_MS = 60_000;

/** Home observation and allocation rounds look at the clock once a minute. */
export const OBSERVATION_EVERY_MS = 60_000;
export const ALLOCATION_TICK_EVERY_MS = 60_000;

export async function registerSchedules(rt: Runtime): Promise<void> {
  await rt.queues.healthReminder.upsertJobScheduler(
    'health-reminder',
    { every: HEALTH_REMINDER_EVERY_MS },
    { name: 'health-reminder', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await rt.queues.supplyOverdue.upsertJobScheduler(
    'still-needed',
    { every: STILL_NEEDED_EVERY_MS },
    { name: 'still-needed', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await rt.queues.observation.upsertJobScheduler(
    'observation',
    { every: OBSERVATION_EVERY_MS },
    { name: 'observation', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await rt.queues.allocationTick.upsertJobScheduler(
    'allocation-tick',
    { every: ALLOCATION_TICK_EVERY_MS },
    { name: 'allocation-tick', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await rt.queues.factCheckNotify.upsertJobScheduler(
    'fact-check-notify',
    { every: FACT_CHECK_NOTIFY_EVERY_MS },
    { name: 'fact-check-notify', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
}
