/**
 * `KfBudget` on Redis: each resident's customer-service messages spent in their current 48-hour
 * window, reserved by the broadcast without a database round trip per recipient.
 *
 * Where the webhook's resident cache holds the resident (anyone who wrote this week: everyone
 * whose window is open, as a rule), the budget is the cache's (`KfWindows`, bot/residents/): one
 * count shared with every other sender, written back to MongoDB with the resident's other changes.
 * For a resident it does not hold, a count of our own (below), seeded with what the fan-out read.
 * A batch's reservations are sent together (about one round trip).
 *
 * Our own key `linli:kf:{<residentId>}`: hash {at: the window's inbound time (ms), used}, expiring
 * when the window closes. A reservation names the window it saw and the messages the fan-out saw
 * spent in it: a newer window starts a new count from that figure, the same window keeps the
 * larger of the two, and a key that already knows a newer window counts against that one.
 */
import type { Redis } from 'ioredis';
import { KF_BUDGET, KF_WINDOW_MS } from '../../handlers/broadcast/channel.js';
import type { KfBudget, KfCandidate, KfResident } from '../../handlers/broadcast/ports.js';
import type { KfWindowRef, KfWindows } from '../../handlers/outbound/kf-window.js';
import { luaScript } from '../redis-script.js';

export const kfBudgetKey = (residentId: string) => `linli:kf:{${residentId}}`;

/** KEYS[1] budget; ARGV[1] window start ms, ARGV[2] spent per the fan-out, ARGV[3] budget, ARGV[4] window ms. 1 = reserved. */
const reserveOwn = luaScript(
  `
local at = tonumber(ARGV[1])
local known = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if known < at then
  used = tonumber(ARGV[2])
  known = at
  redis.call('HSET', KEYS[1], 'at', at)
elseif known == at then
  used = math.max(used, tonumber(ARGV[2]))
end
local granted = 0
if used < tonumber(ARGV[3]) then
  used = used + 1
  granted = 1
end
redis.call('HSET', KEYS[1], 'used', used)
redis.call('PEXPIREAT', KEYS[1], known + tonumber(ARGV[4]))
return granted`,
  1,
);

/** KEYS[1] budget: one message back, if there is a count to give it back to. */
const refundOwn = luaScript(
  `
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if used > 0 then redis.call('HSET', KEYS[1], 'used', used - 1) end
return 0`,
  1,
);

/** KEYS[1] budget; ARGV[1] budget: nothing left in the window the key knows. */
const exhaustOwn = luaScript(
  `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'used', ARGV[1]) end
return 0`,
  1,
);

/** Notices go out through the Official Account: its residents are the cache's `wechat` ones. */
const ref = (r: KfResident): KfWindowRef => ({ channel: 'wechat', openid: r.openid });

export function redisKfBudget(redis: Redis, windows: KfWindows): KfBudget {
  const own = {
    reserve: (c: KfCandidate) => reserveOwn(redis, kfBudgetKey(c.residentId), c.inboundAt.getTime(), c.spent, KF_BUDGET, KF_WINDOW_MS),
    refund: (r: KfResident) => refundOwn(redis, kfBudgetKey(r.residentId)),
    exhaust: (r: KfResident) => exhaustOwn(redis, kfBudgetKey(r.residentId), KF_BUDGET),
  };
  return {
    reserve: (candidates, now) =>
      Promise.all(
        candidates.map(async (c) => {
          const answer = await windows.reserve(ref(c), now);
          return answer === 'not-cached' ? Number(await own.reserve(c)) === 1 : answer === 'reserved';
        }),
      ),
    async refund(residents) {
      await Promise.all(residents.map(async (r) => (await windows.refund(ref(r))) || (await own.refund(r))));
    },
    async exhaust(resident) {
      if (!(await windows.spendAll(ref(resident)))) await own.exhaust(resident);
    },
  };
}
