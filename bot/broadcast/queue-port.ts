import type { Queues } from '../queues.js';
import type { BroadcastPort, Clock } from '../../handlers/ports.js';

/**
 * The fan-out job id of a notice. Deterministic, so queueing a notice twice is one job.
 * Why `-` and not `fanout:<id>` as architecture.md sketches: BullMQ 6 rejects custom job ids
 * containing `:` ("Custom Id cannot contain :", Job.validateOptions; the one exception is a
 * legacy repeatable-job shape with exactly two colons).
 */
export const fanoutJobId = (noticeId: string): string => `fanout-${noticeId}`;

/** Fan-out job payload: an id, never the notice itself. */
export interface FanoutJobData {
  noticeId: string;
}

/** BullMQ priority: lower runs first. Urgent notices jump the queue, never the audit. */
export const FANOUT_PRIORITY = { urgent: 1, normal: 10 } as const;

/**
 * `BroadcastPort` on BullMQ: release adds the notice's fan-out job to `notice-fanout`
 * (delayed to `sendAt` when scheduled), cancel removes it while it has not started.
 */
export function queueBroadcastPort(queues: Pick<Queues, 'noticeFanout'>, clock: Clock): BroadcastPort {
  const queue = queues.noticeFanout;
  return {
    async startBroadcast(noticeId, { urgent, sendAt }) {
      const delay = sendAt ? Math.max(0, sendAt.getTime() - clock.now().getTime()) : 0;
      const data: FanoutJobData = { noticeId };
      await queue.add('fanout', data, {
        jobId: fanoutJobId(noticeId),
        delay,
        priority: urgent ? FANOUT_PRIORITY.urgent : FANOUT_PRIORITY.normal,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        // Keep finished jobs for a week: while the job exists, re-adding its id is a no-op.
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
    },
    async cancelBroadcast(noticeId) {
      const job = await queue.getJob(fanoutJobId(noticeId));
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'delayed' && state !== 'waiting' && state !== 'prioritized') return false;
      try {
        await job.remove();
        return true;
      } catch {
        return false; // picked up by a worker meanwhile; it will see the notice is cancelled
      }
    },
  };
}
