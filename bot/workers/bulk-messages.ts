import { Worker } from 'bullmq';
import type { BulkMessage } from '../../handlers/outbound/bulk-messages.js';
import { sendBulkBatch } from '../../handlers/outbound/send-bulk-batch.js';
import { deliverLimiter } from '../broadcast/rate-limit.js';
import { tellDeps } from '../messenger.js';
import { BULK_BATCH, bulkKey, bulkSentKey } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: `{messageId, batch}` → sendBulkBatch, under the broadcast rate limit. */
export function bulkMessagesWorker(rt: Runtime): Worker {
  const deps = {
    ...tellDeps(rt),
    translate: (lng: 'zh-CN' | 'en') => rt.i18n.getFixedT(lng),
    reached: {
      has: async (id: string, resident: string) => (await rt.redis.sismember(bulkSentKey(id), resident)) === 1,
      add: async (id: string, resident: string) =>
        void (await rt.redis
          .multi()
          .sadd(bulkSentKey(id), resident)
          .expire(bulkSentKey(id), 30 * 24 * 3600)
          .exec()),
    },
  };
  const limiter = deliverLimiter(rt.config.BROADCAST_RATE_PER_S);
  return new Worker(
    QUEUE_NAMES.bulkMessages,
    async (job) => {
      const raw = await rt.redis.get(bulkKey(String(job.data.messageId)));
      if (!raw) return 'expired';
      return sendBulkBatch(deps, String(job.data.messageId), JSON.parse(raw) as BulkMessage, Number(job.data.batch), BULK_BATCH);
    },
    { connection: rt.redis, prefix: 'linli', concurrency: Math.min(4, rt.config.WORKER_CONCURRENCY), ...(limiter ? { limiter } : {}) },
  );
}
