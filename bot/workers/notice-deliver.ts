import { DelayedError, Worker } from 'bullmq';
import { Types } from 'mongoose';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { deliverBatch, giveUp } from '../../handlers/broadcast/deliver.js';
import { broadcastDeps } from '../broadcast/deps.js';
import type { BatchJobData } from '../broadcast/jobs.js';

/**
 * Lock and stall settings: a job's lock lives 15 s (renewed every 7.5 s while it runs) and every
 * worker checks for stalled jobs every 5 s, so the batches of a worker that died are running
 * again within ~25 s (up to three times per job). Together with the batch lease (20 s) that
 * bounds how long a crash delays its deliveries.
 */
export const DELIVER_WORKER_SETTINGS = { lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 3 } as const;

/**
 * Batch jobs one process holds at once: two keep its send slots busy (one batch reads its log
 * while the other sends), up to four for many slots; one when it sends one at a time, so an
 * urgent batch never waits behind a second batch in hand.
 */
export const batchesInHand = (sendSlots: number): number => (sendSlots <= 1 ? 1 : Math.min(4, 1 + Math.ceil(sendSlots / 20)));

/**
 * Thin adapter `{noticeId, batchNo}` → deliverBatch. Outcomes map to BullMQ: `busy` (another run
 * holds the batch) → delayed until its lease ends, and `stopped` (this worker is closing) →
 * delayed to now for another worker, neither using an attempt; `retry` → throw, so BullMQ retries
 * with backoff (only the members still open are sent again). On the last attempt an unexpected
 * error closes the batch's open members (giveUp). The rate limit is the handlers' shared pace.
 */
export function noticeDeliverWorker(rt: Runtime): Worker<BatchJobData> {
  const deps = broadcastDeps(rt);
  const stopping = new AbortController();
  const worker = new Worker<BatchJobData>(
    QUEUE_NAMES.noticeDeliver,
    async (job, token) => {
      const ref = { noticeId: String(job.data.noticeId), batchNo: Number(job.data.batchNo) };
      // A job from before batches (`{deliveryId}`), or one added by hand: nothing it names exists.
      if (!Types.ObjectId.isValid(ref.noticeId) || !Number.isInteger(ref.batchNo)) return { outcome: 'skipped', reason: 'not a batch job' };
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      let r;
      try {
        r = await deliverBatch(deps, { ...ref, lastAttempt, signal: stopping.signal });
      } catch (err) {
        if (lastAttempt) await giveUp(deps, ref, err).catch((e: unknown) => rt.log.error({ err: e, ...ref }, 'could not close a batch after its last attempt'));
        throw err;
      }
      switch (r.outcome) {
        case 'busy':
        case 'stopped':
          await job.moveToDelayed(Date.now() + (r.outcome === 'busy' ? r.retryInMs : 0), token);
          throw new DelayedError();
        case 'retry':
          throw r.error instanceof Error ? r.error : new Error(String(r.error));
        default:
          return r;
      }
    },
    { connection: rt.redis, prefix: 'linli', concurrency: batchesInHand(rt.config.WORKER_CONCURRENCY), ...DELIVER_WORKER_SETTINGS },
  );
  worker.on('closing', () => stopping.abort());
  return worker;
}
