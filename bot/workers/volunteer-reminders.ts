import { Worker } from 'bullmq';
import { remindTask } from '../../handlers/volunteers/tasks.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { volunteerDeps } from '../volunteers/deps.js';

/** Thin adapter: `{taskId, startsAtMs}` → remindTask (which skips a cancelled or moved task). */
export function volunteerRemindersWorker(rt: Runtime): Worker {
  const deps = volunteerDeps(rt);
  return new Worker(QUEUE_NAMES.volunteerReminders, async (job) => remindTask(deps, String(job.data.taskId), Number(job.data.startsAtMs)), {
    connection: rt.redis,
    prefix: 'linli',
    concurrency: Math.min(4, rt.config.WORKER_CONCURRENCY),
  });
}
