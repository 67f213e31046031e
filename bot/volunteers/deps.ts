/**
 * The volunteer use cases' ports from the runtime: the slot ledger and prompt memory in Redis,
 * reminders as delayed BullMQ jobs, messages through the `BulkMessages` port. Built once per
 * runtime and shared by the staff API, the webhook's effects and the reminder worker.
 */
import type { Queue } from 'bullmq';
import type { VolunteerDeps, TaskReminders } from '../../handlers/volunteers/ports.js';
import { inboundDeps, placesOf } from '../conversation.js';
import type { Runtime } from '../runtime.js';

/** One job per task and start time: a moved start is a new job, and the old one is removed. */
export const reminderJobId = (taskId: string, startsAt: Date) => `remind-${taskId}-${startsAt.getTime()}`;

export function queueTaskReminders(queue: Queue, now: () => Date): TaskReminders {
  return {
    async schedule(taskId, startsAt, at) {
      await queue.add(
        'remind',
        { taskId, startsAtMs: startsAt.getTime() },
        {
          jobId: reminderJobId(taskId, startsAt),
          delay: Math.max(0, at.getTime() - now().getTime()),
          attempts: 6,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    },
    async unschedule(taskId, startsAt) {
      // A job already running finishes (it checks the task's start and status itself).
      await queue.remove(reminderJobId(taskId, startsAt)).catch(() => 0);
    },
  };
}

const cache = new WeakMap<Runtime, VolunteerDeps>();
export function volunteerDeps(rt: Runtime): VolunteerDeps {
  let d = cache.get(rt);
  if (d) return d;
  const conversation = inboundDeps(rt);
  d = {
    models: rt.models,
    clock: rt.clock,
    places: placesOf(rt),
    slots: conversation.slots,
    taskPrompts: conversation.taskPrompts,
    bulk: conversation.bulk,
    reminders: queueTaskReminders(rt.queues.volunteerReminders, () => rt.clock.now()),
    async residentChanged(residentId) {
      const r = await rt.models.Resident.findById(residentId).lean<{ channel: 'wechat' | 'wecom'; openid: string }>();
      if (r) await conversation.residents.changed(r.channel, r.openid);
    },
    reminderLeadMs: rt.config.VOLUNTEER_REMINDER_LEAD_MIN * 60_000,
    log: rt.log,
  };
  cache.set(rt, d);
  return d;
}
