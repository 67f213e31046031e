/**
 * `BulkMessages` on BullMQ and Redis. A message's id is derived from (kind, ref), so queueing it
 * again is the same message. Redis holds, under that id, the message (both languages' keys, JSON),
 * its recipients in the order they were added (a list, with a set beside it so each is added
 * once), the position ranges sends appended (a hash from → to) and those reached (a set, added to
 * after the send: the at-least-once rule of every send here). A `send` appends its new recipients
 * in one Lua step, which records the positions they took, then queues `bulk-<messageId>-<from>`
 * jobs of up to 100 positions for every range recorded: concurrent sends of one message take
 * disjoint positions, so each recipient is in exactly one job, and a job queued already (or a send
 * that stopped before queueing) is simply queued again by the next send of the message.
 *
 * The sends share the notice broadcast's pace (BROADCAST_RATE_PER_S, one Redis key for every
 * worker) and its channel choice and customer-service budget: see `tellResident`.
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { BulkMessage, BulkMessages } from '../../handlers/outbound/bulk-messages.js';
import { luaScript } from '../redis-script.js';

export const BULK_BATCH = 100;
const TTL_S = 30 * 24 * 3600;
/** Recipients per Lua call: a long list is appended in steps, so Redis is never held for long. */
const APPEND_CHUNK = 1000;

export const bulkMessageId = (kind: string, ref: string) => crypto.createHash('sha256').update(`${kind}\u0000${ref}`).digest('hex').slice(0, 24);
export const bulkKey = (id: string) => `linli:bulk:${id}`;
export const bulkSentKey = (id: string) => `linli:bulk:${id}:sent`;
/** The recipients, in the order added (list positions are what the batch jobs name). */
export const bulkToKey = (id: string) => `linli:bulk:${id}:to`;
const bulkAllKey = (id: string) => `linli:bulk:${id}:all`;
const bulkRangesKey = (id: string) => `linli:bulk:${id}:ranges`;

/** A batch job: the recipients at list positions [from, to). */
export interface BulkJobData {
  messageId: string;
  from: number;
  to: number;
}

/**
 * KEYS: message, list, set, ranges. ARGV: TTL s, message JSON, recipients… Stores the message,
 * appends the recipients not added before and records their positions; answers how many.
 */
const append = luaScript(
  `
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
local from = redis.call('LLEN', KEYS[2])
for i = 3, #ARGV do
  if redis.call('SADD', KEYS[3], ARGV[i]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[i]) end
end
local to = redis.call('LLEN', KEYS[2])
if to > from then redis.call('HSET', KEYS[4], from, to) end
for k = 2, 4 do redis.call('EXPIRE', KEYS[k], ARGV[1]) end
return to - from`,
  4,
);

/** The recipients added so far. */
export const bulkRecipients = (redis: Redis, messageId: string) => redis.lrange(bulkToKey(messageId), 0, -1);

export function queueBulkMessages(redis: Redis, queue: Queue): BulkMessages {
  return {
    async send(m: BulkMessage) {
      const messageId = bulkMessageId(m.kind, m.ref);
      const { residentIds, ...message } = m;
      const keys = [bulkKey(messageId), bulkToKey(messageId), bulkAllKey(messageId), bulkRangesKey(messageId)];
      const json = JSON.stringify(message);
      let queued = 0;
      for (let i = 0; i < residentIds.length || i === 0; i += APPEND_CHUNK)
        queued += Number(await append(redis, ...keys, TTL_S, json, ...residentIds.slice(i, i + APPEND_CHUNK)));
      const ranges = await redis.hgetall(bulkRangesKey(messageId));
      const jobs = [];
      for (const [f, t] of Object.entries(ranges)) {
        for (let b = Number(f); b < Number(t); b += BULK_BATCH) {
          const data: BulkJobData = { messageId, from: b, to: Math.min(b + BULK_BATCH, Number(t)) };
          jobs.push({
            name: 'bulk',
            data,
            opts: {
              // One id per position range: BullMQ ignores it while the job exists, so no two runs share a recipient.
              jobId: `bulk-${messageId}-${b}`,
              priority: m.urgent ? 1 : 10,
              attempts: 6,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: { age: 3600 },
              removeOnFail: { age: 7 * 24 * 3600 },
            },
          });
        }
      }
      if (jobs.length) await queue.addBulk(jobs);
      return { messageId, queued };
    },
    exists: async (kind, ref) => (await redis.exists(bulkKey(bulkMessageId(kind, ref)))) === 1,
  };
}
