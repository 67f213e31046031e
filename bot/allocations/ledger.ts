/**
 * The allocation ledger in Redis: each claim is one Lua script, so under a rush (hundreds of
 * households at once against a small stock) stock, slot places and "one booking per household"
 * are checked and taken together — nobody gets two, nothing is overbooked.
 *
 * Keys per round (one hash tag, so a Redis Cluster keeps them on one node):
 *   linli:alloc:{<round>}:ready       present once the state below was loaded (from MongoDB)
 *   linli:alloc:{<round>}:stock       units left
 *   linli:alloc:{<round>}:slots       hash slotId → places left
 *   linli:alloc:{<round>}:households  hash householdKey → `token|slot|quantity` of its booking
 */
import type { Redis } from 'ioredis';
import type { AllocationLedger, ClaimOutcome, LedgerState } from '../../handlers/allocations/ledger.js';

const keys = (round: string) => {
  const p = `linli:alloc:{${round}}`;
  return [`${p}:ready`, `${p}:stock`, `${p}:slots`, `${p}:households`];
};

/** KEYS: ready, stock, slots, households. ARGV: household, quantity, slot, held. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_ready'} end
local held = redis.call('HGET', KEYS[4], ARGV[1])
if held then return {'already', held} end
local left = redis.call('HGET', KEYS[3], ARGV[3])
if not left then return {'no_slot'} end
local q = tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[2]) or '0') < q then return {'sold_out'} end
if tonumber(left) < 1 then return {'slot_full'} end
redis.call('DECRBY', KEYS[2], q)
redis.call('HINCRBY', KEYS[3], ARGV[3], -1)
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
return {'ok'}`;

/** KEYS: ready, stock, slots, households. ARGV: household, held, slot, quantity. */
const RELEASE = `
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('INCRBY', KEYS[2], tonumber(ARGV[4]))
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then redis.call('HINCRBY', KEYS[3], ARGV[3], 1) end
return 1`;

/** KEYS: ready, stock, slots, households. ARGV: ttl, stock, slot count, slot/places pairs…, household/held pairs… */
const LOAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
local ttl = tonumber(ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
local n = tonumber(ARGV[3])
local i = 4
for _ = 1, n do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2 end
while i <= #ARGV do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('SET', KEYS[1], '1')
for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ttl) end
return 1`;

export function redisAllocationLedger(redis: Redis): AllocationLedger {
  return {
    async claim(round, household, slotId, quantity, held): Promise<ClaimOutcome> {
      const [why, existing] = (await redis.eval(CLAIM, 4, ...keys(round), household, quantity, slotId, held)) as [string, string?];
      if (why === 'ok') return { ok: true };
      if (why === 'already') return { ok: false, why, held: existing ?? '' };
      return { ok: false, why: why as 'sold_out' | 'slot_full' | 'no_slot' | 'not_ready' };
    },
    async release(round, household, held, slotId, quantity) {
      return (await redis.eval(RELEASE, 4, ...keys(round), household, held, slotId, quantity)) === 1;
    },
    async load(round, state: LedgerState, ttlSeconds) {
      const slots = Object.entries(state.slots).flat();
      const households = Object.entries(state.households).flat();
      const args = [Math.max(60, ttlSeconds), state.stock, slots.length / 2, ...slots, ...households];
      return (await redis.eval(LOAD, 4, ...keys(round), ...args.map(String))) === 1;
    },
    async remaining(round) {
      const [ready, stock, slots] = await redis
        .multi()
        .exists(keys(round)[0]!)
        .get(keys(round)[1]!)
        .hgetall(keys(round)[2]!)
        .exec()
        .then((r) => r!.map(([, v]) => v));
      if (!ready) return null;
      return { stock: Number(stock ?? 0), slots: Object.fromEntries(Object.entries((slots ?? {}) as Record<string, string>).map(([k, v]) => [k, Number(v)])) };
    },
  };
}
