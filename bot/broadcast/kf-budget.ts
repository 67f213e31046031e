/**
 * `KfBudget` on Redis: each resident's customer-service messages spent in their current 48-hour
 * window, reserved by the broadcast without a database round trip per recipient.
 *
 * Key `linli:kf:{<residentId>}`: hash {at: the window's inbound time (ms), used}, expiring when
 * the window closes. A reservation names the window it saw (the fan-out's reading of
 * `lastInboundAt`) and the messages the resident record says were spent in it: a newer window
 * starts a new count from that figure, the same window keeps the larger of the two, and a key
 * that already knows a newer window than the caller's counts against that one. All of a batch's
 * reservations go in one pipeline (one round trip; each script touches one key, so it also works
 * on Redis Cluster).
 */
import type { Redis } from 'ioredis';
import { KF_BUDGET, KF_WINDOW_MS } from '../../handlers/broadcast/channel.js';
import type { KfBudget } from '../../handlers/broadcast/ports.js';

export const kfBudgetKey = (residentId: string) => `linli:kf:{${residentId}}`;

/** KEYS[1] budget; ARGV[1] window start ms, ARGV[2] spent per the record, ARGV[3] budget, ARGV[4] window ms. 1 = reserved. */
const RESERVE = `
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
return granted`;

/** KEYS[1] budget: one message back, if there is a count to give it back to. */
const REFUND = `
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if used > 0 then redis.call('HSET', KEYS[1], 'used', used - 1) end
return 0`;

/** KEYS[1] budget; ARGV[1] budget: nothing left in the window the key knows. */
const EXHAUST = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'used', ARGV[1]) end
return 0`;

export function redisKfBudget(redis: Redis): KfBudget {
  const run = async (calls: Array<[string, string, ...string[]]>): Promise<unknown[]> => {
    const p = redis.pipeline();
    for (const [script, key, ...args] of calls) p.eval(script, 1, key, ...args);
    const res = (await p.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    return res.map(([, v]) => v);
  };
  return {
    async reserve(candidates) {
      const out = await run(
        candidates.map((c) => [RESERVE, kfBudgetKey(c.residentId), String(c.inboundAt.getTime()), String(c.spent), String(KF_BUDGET), String(KF_WINDOW_MS)]),
      );
      return out.map((v) => Number(v) === 1);
    },
    async refund(residentIds) {
      await run(residentIds.map((id) => [REFUND, kfBudgetKey(id)]));
    },
    async exhaust(residentId) {
      await run([[EXHAUST, kfBudgetKey(residentId), String(KF_BUDGET)]]);
    },
  };
}
