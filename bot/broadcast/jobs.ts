/**
 * The broadcast's BullMQ side: deliver job ids and options, and `BroadcastJobs` on the queues.
 *
 * Priority: urgent and normal deliveries share the `notice-deliver` queue with BullMQ
 * priorities 1 and 10 (the fan-out's own values, `FANOUT_PRIORITY`). Workers always take the
 * lowest priority number first, so an urgent notice released behind a large normal one overtakes
 * it at the next free slot, under the same global rate limit; within a priority, jobs run in
 * order of queueing. A separate urgent queue would need its own workers and limiter (and would
 * either share or double the WeChat rate budget); one queue keeps one budget.
 */
import type { JobsOptions } from 'bullmq';
import type { Queues } from '../queues.js';
import { FANOUT_PRIORITY } from './queue-port.js';
import type { BroadcastJobs } from '../../handlers/broadcast/ports.js';

/** Deliver job id; BullMQ 6 refuses `:` in custom ids. */
export const deliverJobId = (deliveryId: string): string => `deliver-${deliveryId}`;
/** Cancel-sweep job id on the fan-out queue: one per notice. */
export const sweepJobId = (noticeId: string): string => `sweep-${noticeId}`;

export interface DeliverJobData {
  deliveryId: string;
}
export interface SweepJobData {
  noticeId: string;
}

/**
 * Six attempts, 1 s doubling (1, 2, 4, 8, 16 s: about 30 s of transient errors ridden out).
 * Finished jobs stay an hour (Bull Board shows recent ones; a re-queue meanwhile is a no-op, after
 * that the record itself says it is done).
 */
export const DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function bullBroadcastJobs(queues: Pick<Queues, 'noticeDeliver' | 'noticeFanout'>): BroadcastJobs {
  return {
    async addDeliveries(jobs) {
      if (!jobs.length) return;
      await queues.noticeDeliver.addBulk(
        jobs.map((j) => ({
          name: 'deliver',
          data: { deliveryId: j.deliveryId } satisfies DeliverJobData,
          opts: { ...DELIVER_JOB_OPTIONS, jobId: deliverJobId(j.deliveryId), priority: j.urgent ? FANOUT_PRIORITY.urgent : FANOUT_PRIORITY.normal },
        })),
      );
    },
    async removeDeliveries(ids) {
      const codes = await Promise.all(ids.map((id) => queues.noticeDeliver.remove(deliverJobId(id)).catch(() => 0)));
      return codes.filter((c) => c === 1).length;
    },
    async requestSweep(noticeId) {
      await queues.noticeFanout.add('sweep', { noticeId } satisfies SweepJobData, {
        jobId: sweepJobId(noticeId),
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
        // Gone once done, so a delivery that later finds a pending record of the cancelled
        // notice (one queued after the sweep listed them) can ask for another sweep.
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
  };
}
