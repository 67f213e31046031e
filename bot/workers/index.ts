import type { Worker } from 'bullmq';
import type { Runtime } from '../runtime.js';
import { lateReplyWorker } from './late-reply.js';
import { inboundRescueWorker } from './inbound-rescue.js';
import { noticeFanoutWorker } from './notice-fanout.js';
import { noticeDeliverWorker } from './notice-deliver.js';
import { alertNotifyWorker } from './alert-notify.js';
import { supplyNotifyWorker } from './supply-notify.js';
import { supplyOverdueWorker } from './supply-overdue.js';
import { bulkMessagesWorker } from './bulk-messages.js';
import { volunteerRemindersWorker } from './volunteer-reminders.js';
import { healthReminderWorker } from './health-reminder.js';
import { observationWorker } from './observation.js';
import { allocationTickWorker } from './allocation-tick.js';
import { factCheckNotifyWorker } from './fact-check-notify.js';

/** A factory for one queue's BullMQ Worker; the processor it wraps lives in handlers/. */
export type WorkerFactory = (rt: Runtime) => Worker;

/** Every queue's worker; a feature adds its factory here. */
export const WORKER_FACTORIES: WorkerFactory[] = [
  lateReplyWorker,
  inboundRescueWorker,
  noticeFanoutWorker,
  noticeDeliverWorker,
  alertNotifyWorker,
  supplyNotifyWorker,
  supplyOverdueWorker,
  bulkMessagesWorker,
  volunteerRemindersWorker,
  healthReminderWorker,
  observationWorker,
  allocationTickWorker,
  factCheckNotifyWorker,
];

/** How long a forced close may take before the process stops waiting for it. */
const FORCED_CLOSE_WAIT_MS = 500;

export interface RunningWorkers {
  readonly workers: Worker[];
  /**
   * Stop taking jobs and wait for the jobs in hand to finish (BullMQ's graceful close); after
   * `timeoutMs` stop waiting (force close) — their locks lapse and another worker redoes them.
   */
  close(timeoutMs?: number): Promise<void>;
}

export function startWorkers(rt: Runtime, factories: WorkerFactory[] = WORKER_FACTORIES): RunningWorkers {
  const workers = factories.map((f) => f(rt));
  for (const w of workers) {
    w.on('failed', (job, err) => rt.log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => rt.log.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  return {
    workers,
    close: async (timeoutMs = Infinity) => {
      const graceful = Promise.all(workers.map((w) => w.close()));
      if (!Number.isFinite(timeoutMs)) return void (await graceful);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        rt.log.warn({ timeoutMs }, 'jobs still running at the shutdown timeout; closing anyway');
        // A forced close still lets a hung processor's promise run on; give it a moment, no more.
        const forced = Promise.all(workers.map((w) => w.close(true)));
        await Promise.race([forced, new Promise((r) => setTimeout(r, FORCED_CLOSE_WAIT_MS).unref())]);
      }
    },
  };
}
