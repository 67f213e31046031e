/**
 * `KfWindows` over the resident cache (`keys.ts`): the window and budget the webhook keeps, read
 * and spent atomically in Redis (unlike an `$inc` on FerretDB 1.x, which can lose updates under
 * concurrency). A spend is a pending change like a touch, so it reaches MongoDB through the
 * write-back. A resident who is not cached is answered `not-cached`: MongoDB holds their window.
 */
import type { Redis } from 'ioredis';
import { KF_BUDGET, KF_WINDOW_MS } from '../../handlers/broadcast/channel.js';
import type { KfReservation, KfWindowRef, KfWindows } from '../../handlers/outbound/kf-window.js';
import { luaScript } from '../redis-script.js';
import { DIRTY_KEY, MARK_DIRTY_LUA, memberOf, residentKey } from './keys.js';

/** KEYS: hash, dirty set. ARGV: now, window ms, budget, member, due. */
const reserve = luaScript(
  `${MARK_DIRTY_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not-cached' end
local last = tonumber(redis.call('HGET', KEYS[1], 'in')) or 0
if last == 0 or tonumber(ARGV[1]) - last >= tonumber(ARGV[2]) then return 'closed' end
local kf = tonumber(redis.call('HGET', KEYS[1], 'kf')) or 0
if kf >= tonumber(ARGV[3]) then return 'spent' end
redis.call('HSET', KEYS[1], 'kf', kf + 1, 'p:kf', kf + 1)
mark(KEYS[1], KEYS[2], ARGV[4], ARGV[5])
return 'reserved'`,
  2,
);

/** KEYS: hash, dirty set. ARGV: 'refund' or 'spend', budget, member, due. 0 when not cached. */
const adjust = luaScript(
  `${MARK_DIRTY_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local kf = tonumber(redis.call('HGET', KEYS[1], 'kf')) or 0
if ARGV[1] == 'refund' then kf = math.max(kf - 1, 0) else kf = math.max(kf, tonumber(ARGV[2])) end
redis.call('HSET', KEYS[1], 'kf', kf, 'p:kf', kf)
mark(KEYS[1], KEYS[2], ARGV[3], ARGV[4])
return 1`,
  2,
);

export function redisKfWindows(redis: Redis, writeBackMs: number, nowMs: () => number = Date.now): KfWindows {
  const due = () => String(nowMs() + writeBackMs);
  const keys = (r: KfWindowRef) => [residentKey(r.channel, r.openid), DIRTY_KEY] as const;
  return {
    async read(refs) {
      if (refs.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const r of refs) pipeline.hmget(residentKey(r.channel, r.openid), 'id', 'in', 'kf');
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, fields]) => {
        if (err) throw err;
        const [id, inbound, kf] = fields as Array<string | null>;
        if (!id) return undefined;
        return { lastInboundAt: inbound && inbound !== '0' ? new Date(Number(inbound)) : null, kfSentSinceInbound: Number(kf ?? 0) };
      });
    },
    reserve: async (r, now) =>
      (await reserve(redis, ...keys(r), now.getTime(), KF_WINDOW_MS, KF_BUDGET, memberOf(r.channel, r.openid), due())) as KfReservation,
    refund: async (r) => (await adjust(redis, ...keys(r), 'refund', KF_BUDGET, memberOf(r.channel, r.openid), due())) === 1,
    spendAll: async (r) => (await adjust(redis, ...keys(r), 'spend', KF_BUDGET, memberOf(r.channel, r.openid), due())) === 1,
  };
}
