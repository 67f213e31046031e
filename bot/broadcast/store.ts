/**
 * `BroadcastStore` on Redis: batch leases, sent-notes and per-notice tallies.
 *
 * Keys (prefix `linli:bc:`; the braces put every key of a notice in one Redis Cluster slot, so
 * each script below touches one slot):
 *   `{<noticeId>}:lease:<batchNo>`  owner id, `SET NX PX lease`: one run per batch at a time;
 *                                   expires by itself when its holder dies.
 *   `{<noticeId>}:sent:<batchNo>`   hash member → JSON SentNote, 7 days: sends WeChat took whose
 *                                   log entry could not be written; the next run records them.
 *   `{<noticeId>}:tally`            hash, 30 days: `b<batchNo>` = "sent,failed,size" per batch
 *                                   (each figure only grows), and the notice's sums `sent`,
 *                                   `failed`, `finished` kept in step with them; `total` once the
 *                                   fan-out is done.
 */
import type { Redis } from 'ioredis';
import type { BatchRef, BroadcastStore, LeaseResult, SentNote, Tally, TallyDetail } from '../../handlers/broadcast/ports.js';
import { luaScript } from '../redis-script.js';

const PREFIX = 'linli:bc:';
const SENT_NOTE_TTL_S = 7 * 24 * 3600;
const TALLY_TTL_S = 30 * 24 * 3600;

export const leaseKey = (b: BatchRef) => `${PREFIX}{${b.noticeId}}:lease:${b.batchNo}`;
const sentKey = (b: BatchRef) => `${PREFIX}{${b.noticeId}}:sent:${b.batchNo}`;
export const tallyKey = (noticeId: string) => `${PREFIX}{${noticeId}}:tally`;

/**
 * KEYS[1] lease, KEYS[2] sent-notes; ARGV[1] owner, ARGV[2] lease ms.
 * {1, notes…} when the lease is ours, {0, remaining ms, holder} when someone else holds it.
 */
const acquireLua = luaScript(
  `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('HVALS', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]) or ''}`,
  2,
);

/**
 * KEYS[1] lease, KEYS[2] tally; ARGV[1] owner, ARGV[2] lease ms, ARGV[3] batch number,
 * ARGV[4] sent, ARGV[5] failed, ARGV[6] size, ARGV[7] tally ttl s.
 * Extends the lease if it is ours (or takes it back if it lapsed and nobody took it), raises the
 * batch's figures to the given ones and moves the sums by the same amounts.
 * Returns {lease held 0|1, finished, total or -1}.
 */
const recordLua = luaScript(
  `
local cur = redis.call('GET', KEYS[1])
local held = 0
if cur == ARGV[1] or not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  held = 1
end
local field = 'b' .. ARGV[3]
local os, of = 0, 0
local old = redis.call('HGET', KEYS[2], field)
if old then
  local a, b = string.match(old, '^(%d+),(%d+)')
  os, of = tonumber(a), tonumber(b)
end
local s = math.max(os, tonumber(ARGV[4]))
local f = math.max(of, tonumber(ARGV[5]))
redis.call('HSET', KEYS[2], field, s .. ',' .. f .. ',' .. ARGV[6])
if s ~= os then redis.call('HINCRBY', KEYS[2], 'sent', s - os) end
if f ~= of then redis.call('HINCRBY', KEYS[2], 'failed', f - of) end
local finished = redis.call('HINCRBY', KEYS[2], 'finished', (s + f) - (os + of))
redis.call('EXPIRE', KEYS[2], ARGV[7])
return {held, finished, tonumber(redis.call('HGET', KEYS[2], 'total') or '-1')}`,
  2,
);

/** KEYS[1] lease, KEYS[2] sent-notes; ARGV[1] owner, ARGV[2] '1' to drop the notes (they are in the log). */
const releaseLua = luaScript(
  `
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`,
  2,
);

const total = (v: unknown): number | null => (v === null || v === undefined || Number(v) < 0 ? null : Number(v));

export function redisBroadcastStore(redis: Redis): BroadcastStore {
  return {
    async acquire(batch, owner, leaseMs): Promise<LeaseResult> {
      const [ok, a, b] = (await acquireLua(redis, leaseKey(batch), sentKey(batch), owner, Math.ceil(leaseMs))) as [number, unknown, unknown];
      if (ok === 1) return { ok: true, sentNotes: (a as string[]).map((n) => JSON.parse(n) as SentNote) };
      return { ok: false, retryInMs: Math.max(50, Number(a)), holder: String(b ?? '') };
    },
    async record(batch, owner, leaseMs, f) {
      const args = [owner, Math.ceil(leaseMs), batch.batchNo, f.sent, f.failed, f.size, TALLY_TTL_S].map(String);
      const [held, finished, t] = (await recordLua(redis, leaseKey(batch), tallyKey(batch.noticeId), ...args)) as [number, number, number];
      return { leaseHeld: held === 1, tally: { finished: Number(finished), total: total(t) } satisfies Tally };
    },
    async release(batch, owner, recorded) {
      await releaseLua(redis, leaseKey(batch), sentKey(batch), owner, recorded ? '1' : '0');
    },
    async noteSent(batch, notes) {
      if (!notes.length) return;
      const key = sentKey(batch);
      await redis
        .pipeline()
        .hset(key, Object.fromEntries(notes.map((n) => [String(n.m), JSON.stringify(n)])))
        .expire(key, SENT_NOTE_TTL_S)
        .exec();
    },
    async tally(noticeId): Promise<TallyDetail> {
      const [finished, sent, failed, t] = await redis.hmget(tallyKey(noticeId), 'finished', 'sent', 'failed', 'total');
      return { finished: Number(finished ?? 0), sent: Number(sent ?? 0), failed: Number(failed ?? 0), total: total(t) };
    },
    async batchTallies(noticeId) {
      const all = await redis.hgetall(tallyKey(noticeId));
      const out = new Map<number, { finished: number; size: number }>();
      for (const [k, v] of Object.entries(all)) {
        if (!k.startsWith('b')) continue;
        const [s, f, n] = v.split(',').map(Number);
        out.set(Number(k.slice(1)), { finished: (s ?? 0) + (f ?? 0), size: n ?? 0 });
      }
      return out;
    },
    async setTotal(noticeId, t) {
      await redis.pipeline().hset(tallyKey(noticeId), 'total', t).expire(tallyKey(noticeId), TALLY_TTL_S).exec();
    },
  };
}
