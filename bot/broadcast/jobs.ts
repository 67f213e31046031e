/**
 * The broadcast's BullMQ side: batch job ids and options, and `BroadcastJobs` on the queues.
 *
 * Priority: urgent and normal batches share the `notice-deliver` queue with BullMQ priorities 1
 * and 10 (the fan-out's own values, `FANOUT_PRIORITY`). Workers always take the lowest priority
 * number first, so an urgent notice released behind a large normal one overtakes it as soon as a
 * worker takes its next batch, under the same global rate limit; within a priority, batches run
 * in order of queueing. A separate urgent queue would need its own workers and rate budget; one
 * queue keeps one budget.
 */
import type { JobsOptions } from 'bullmq';
import type { Queues } from '../queues.js';
import { FANOUT_PRIORITY } from './queue-port.js';
import type { BroadcastJobs } from '../../handlers/broadcast/ports.js';

/** Batch job id; BullMQ 6 refuses `:` in custom ids. */
export const batchJobId = (noticeId: string, batchNo: number): string => `deliver-${noticeId}-${batchNo}`;
/** Cancel-sweep job id on the fan-out queue: one per notice. */
export const sweepJobId = (noticeId: string): string => `sweep-${noticeId}`;

export interface BatchJobData {
  noticeId: string;
  batchNo: number;
}
export interface SweepJobData {
  noticeId: string;
}

/**
 * Six attempts, 1 s doubling (1, 2, 4, 8, 16 s: about 30 s of transient errors ridden out); each
 * attempt sends only to the members still open. Finished jobs stay an hour (Bull Board shows
 * recent ones; a re-queue meanwhile is a no-op, after that the batch's log says it is done).
 */
export const DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function bullBroadcastJobs(queues: Pick<Queues, 'noticeDeliver' | 'noticeFanout'>): BroadcastJobs {
  const queue = queues.noticeDeliver;
  const addBatches: BroadcastJobs['addBatches'] = async (jobs) => {
    if (!jobs.length) return;
    await queue.addBulk(
      jobs.map((j) => ({
        name: 'deliver',
        data: { noticeId: j.noticeId, batchNo: j.batchNo } satisfies BatchJobData,
        opts: { ...DELIVER_JOB_OPTIONS, jobId: batchJobId(j.noticeId, j.batchNo), priority: j.urgent ? FANOUT_PRIORITY.urgent : FANOUT_PRIORITY.normal },
      })),
    );
  };
  return {
    addBatches,
    async requeueBatches(jobs) {
      let n = 0;
      for (const j of jobs) {
        const job = await queue.getJob(batchJobId(j.noticeId, j.batchNo));
        if (!job) {
          await addBatches([j]);
          n++;
        } else if ((await job.getState()) === 'failed') {
          await job.retry('failed');
          n++;
        }
      }
      return n;
    },
    async removeBatches(noticeId, batchNos) {
      const codes = await Promise.all(batchNos.map((n) => queue.remove(batchJobId(noticeId, n)).catch(() => 0)));
      return codes.filter((c) => c === 1).length;
    },
    async requestSweep(noticeId) {
      await queues.noticeFanout.add('sweep', { noticeId } satisfies SweepJobData, {
        jobId: sweepJobId(noticeId),
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
        // Gone once done, so a batch that later finds a job of the cancelled notice (one queued
        // after the sweep listed them) can ask for another sweep.
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
  };
}
