import type { Worker } from 'bullmq';
import type { Runtime } from '../runtime.js';
import { lateReplyWorker } from './late-reply.js';
import { noticeFanoutWorker } from './notice-fanout.js';
import { noticeDeliverWorker } from './notice-deliver.js';

/** A factory for one queue's BullMQ Worker; the processor it wraps lives in handlers/. */
export type WorkerFactory = (rt: Runtime) => Worker;

/** Every queue's worker; a feature adds its factory here. */
export const WORKER_FACTORIES: WorkerFactory[] = [lateReplyWorker, noticeFanoutWorker, noticeDeliverWorker];

export interface RunningWorkers {
  readonly workers: Worker[];
  /** Stop taking jobs and wait for the jobs in hand to finish (BullMQ's graceful close). */
  close(): Promise<void>;
}

export function startWorkers(rt: Runtime, factories: WorkerFactory[] = WORKER_FACTORIES): RunningWorkers {
  const workers = factories.map((f) => f(rt));
  for (const w of workers) {
    w.on('failed', (job, err) => rt.log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => rt.log.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
