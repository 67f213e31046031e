import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { deliverNotice, giveUp } from '../../handlers/broadcast/deliver.js';
import { broadcastDeps } from '../broadcast/deps.js';
import { deliverLimiter } from '../broadcast/rate-limit.js';
import type { DeliverJobData } from '../broadcast/jobs.js';

/**
 * Lock and stall settings: a job's lock lives 15 s (renewed every 7.5 s while it runs) and every
 * worker checks for stalled jobs every 5 s, so the jobs of a worker that died are running again
 * within ~25 s (up to three times per job). Together with the claim lease (20 s) that bounds how
 * long a crash delays its deliveries.
 */
export const DELIVER_WORKER_SETTINGS = { lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 3 } as const;

/**
 * Thin adapter `{deliveryId}` → deliverNotice. Outcomes map to BullMQ: `busy` (another sender
 * holds the claim) → delayed until its lease ends, without using an attempt; `retry` → throw, so
 * BullMQ retries with backoff; `failed` → UnrecoverableError (shown as failed, not retried).
 * Rate limit: BROADCAST_RATE_PER_S through BullMQ's global limiter (rate-limit.ts).
 */
export function noticeDeliverWorker(rt: Runtime): Worker<DeliverJobData> {
  const deps = broadcastDeps(rt);
  const limiter = deliverLimiter(rt.config.BROADCAST_RATE_PER_S);
  return new Worker<DeliverJobData>(
    QUEUE_NAMES.noticeDeliver,
    async (job, token) => {
      const deliveryId = String(job.data.deliveryId);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      let r;
      try {
        r = await deliverNotice(deps, { deliveryId, lastAttempt });
      } catch (err) {
        if (lastAttempt)
          await giveUp(deps, deliveryId, err).catch((e: unknown) => rt.log.error({ err: e, deliveryId }, 'could not close a delivery after its last attempt'));
        throw err;
      }
      switch (r.outcome) {
        case 'busy':
          await job.moveToDelayed(Date.now() + r.retryInMs, token);
          throw new DelayedError();
        case 'retry':
          throw r.error instanceof Error ? r.error : new Error(String(r.error));
        case 'failed':
          throw new UnrecoverableError(`${r.reason}${r.errcode !== undefined ? ` (errcode ${r.errcode})` : ''}`);
        default:
          return r;
      }
    },
    { connection: rt.redis, prefix: 'linli', concurrency: rt.config.WORKER_CONCURRENCY, ...(limiter ? { limiter } : {}), ...DELIVER_WORKER_SETTINGS },
  );
}
