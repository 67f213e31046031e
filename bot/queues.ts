import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Every BullMQ queue, by purpose. Job payloads are ids; job ids are deterministic
 * (`fanout-<noticeId>`, `deliver-<deliveryId>`, `reply-<dedupKey>`, `rescue-<dedupKey>`) so enqueueing twice is
 * harmless. (BullMQ 6 refuses `:` in custom job ids, hence the dashes.)
 */
export const QUEUE_NAMES = {
  /** Resolves a released notice's target groups into numbered batches and their deliver jobs. */
  noticeFanout: 'notice-fanout',
  /** Sends one batch of a notice (up to BROADCAST_BATCH_SIZE recipients) through the WeChat API. */
  noticeDeliver: 'notice-deliver',
  /** Sends a webhook reply that missed WeChat's 5-second window via the customer-service API. */
  lateReply: 'late-reply',
  /** Runs a message answered `success` at the deadline whose run died before it finished. */
  inboundRescue: 'inbound-rescue',
  /** Tells a building's staff about a health alert through WeCom (`alert-<alertId>`). */
  alertNotify: 'alert-notify',
  /** Tells a resident about a status change of their supply request (`supply-event-<eventId>`). */
  supplyNotify: 'supply-notify',
  /** Repeatable: asks residents whether an overdue supply request is still needed. */
  supplyOverdue: 'supply-overdue',
  /** Operational messages to many residents (task prompts, fact-checks for askers, reminders). */
  bulkMessages: 'bulk-messages',
  /** Delayed: reminds a task's volunteers before it starts (`remind-<taskId>-<startsAtMs>`). */
  volunteerReminders: 'volunteer-reminders',
  /** Repeatable (every minute): the daily health-report reminder, at each community's local time. */
  healthReminder: 'health-reminder',
  /** Repeatable (every minute): home observation's reminders, last-day messages and missed-report alerts. */
  observation: 'observation',
  /** Repeatable (every minute): allocation rounds' second offer wave, no-show release, closing. */
  allocationTick: 'allocation-tick',
  /** Repeatable: tells askers and earlier readers of a released fact-check whose notification did not finish. */
  factCheckNotify: 'fact-check-notify',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
export type Queues = Record<QueueKey, Queue>;

export function createQueues(connection: Redis, prefix = 'linli'): Queues {
  const out = {} as Queues;
  for (const [key, name] of Object.entries(QUEUE_NAMES) as [QueueKey, string][]) {
    out[key] = new Queue(name, { connection, prefix });
  }
  return out;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
