import { Worker } from 'bullmq';
import type { BulkMessage } from '../../handlers/outbound/bulk-messages.js';
import { sendBulkBatch } from '../../handlers/outbound/send-bulk-batch.js';
import { tellDeps } from '../messenger.js';
import { BULK_BATCH, bulkKey, bulkSentKey, bulkToKey } from '../outbound/bulk-messages.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/**
 * Thin adapter: `{messageId, from, to}` → sendBulkBatch over those list positions. Each send takes
 * its turn on the notices' shared pace (in `tellDeps`), so no job limiter here: a job is up to 100 sends.
 */
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
  return new Worker(
    QUEUE_NAMES.bulkMessages,
    async (job) => {
      const messageId = String(job.data.messageId);
      const raw = await rt.redis.get(bulkKey(messageId));
      if (!raw) return 'expired';
      const m = JSON.parse(raw) as BulkMessage;
      // A job queued before recipients were a list (`{batch}`, the ids in the message) still runs.
      const residentIds =
        job.data.from === undefined
          ? (m.residentIds ?? []).slice(Number(job.data.batch) * BULK_BATCH, (Number(job.data.batch) + 1) * BULK_BATCH)
          : await rt.redis.lrange(bulkToKey(messageId), Number(job.data.from), Number(job.data.to) - 1);
      return sendBulkBatch(deps, messageId, m, residentIds);
    },
    { connection: rt.redis, prefix: 'linli', concurrency: Math.min(4, rt.config.WORKER_CONCURRENCY) },
  );
}
