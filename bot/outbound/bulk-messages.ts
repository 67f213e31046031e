/**
 * `BulkMessages` on BullMQ and Redis. The message (both languages' keys, the recipients) is kept
 * in Redis under its id — derived from (kind, ref), so queueing it again is the same message —
 * and sent by `bulk-<messageId>-<batch>` jobs of 100 recipients, each recipient once (a Redis set
 * of those reached, added to after the send: the at-least-once rule of every send here).
 *
 * (Interim: the notice broadcast is moving to batched delivery; this rides on it once merged.)
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { BulkMessage, BulkMessages } from '../../handlers/outbound/bulk-messages.js';

export const BULK_BATCH = 100;
const TTL_S = 30 * 24 * 3600;

export const bulkMessageId = (kind: string, ref: string) => crypto.createHash('sha256').update(`${kind}\u0000${ref}`).digest('hex').slice(0, 24);
export const bulkKey = (id: string) => `linli:bulk:${id}`;
export const bulkSentKey = (id: string) => `linli:bulk:${id}:sent`;

export function queueBulkMessages(redis: Redis, queue: Queue): BulkMessages {
  return {
    async send(m: BulkMessage) {
      const messageId = bulkMessageId(m.kind, m.ref);
      const key = bulkKey(messageId);
      const before = await redis.get(key);
      const known = before ? (JSON.parse(before) as BulkMessage).residentIds : [];
      const residentIds = [...new Set([...known, ...m.residentIds])];
      await redis.set(key, JSON.stringify({ ...m, residentIds }), 'EX', TTL_S);
      const batches = Math.ceil(residentIds.length / BULK_BATCH);
      await queue.addBulk(
        Array.from({ length: batches }, (_, b) => ({
          name: 'bulk',
          data: { messageId, batch: b, size: residentIds.length },
          // Re-queued with more recipients, a batch gets a new id (its size changed); sent ones are skipped by the set.
          opts: {
            jobId: `bulk-${messageId}-${residentIds.length}-${b}`,
            priority: m.urgent ? 1 : 10,
            attempts: 6,
            backoff: { type: 'exponential', delay: 1000 },
            removeOnComplete: { age: 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
      return { messageId, queued: residentIds.length - known.length };
    },
    exists: async (kind, ref) => (await redis.exists(bulkKey(bulkMessageId(kind, ref)))) === 1,
  };
}
