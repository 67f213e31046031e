/**
 * Carries the residents' pending changes (see `keys.ts`) from Redis to MongoDB behind the replies:
 * a loop in every worker process takes the residents whose changes are due, writes each one's
 * latest values with one `updateOne` by `_id`, `WRITE_BACK_BATCH` to a command, and then clears
 * what it wrote.
 *
 * - Coalesced: a resident who sent ten messages within RESIDENT_WRITE_BACK_MS is written once.
 * - Small, one at a time: FerretDB 1.x wedges on an update command of 100 statements, and also
 *   (sometimes) when several multi-statement updates run at once — in a probe, two concurrent
 *   commands of 60, four of 30, or one of 99 beside 40 single updates all wedged it, while 25
 *   beside 50 single updates never did. So batches are 25 and only one writer, across all worker
 *   processes, writes at a time (a Redis lease taken with the batch).
 * - Nothing is lost: a change is in Redis before the webhook answers, and stays there until its
 *   write succeeded. A writer that dies holds the lease and its batch for `LEASE_MS`, then another
 *   takes them; a change made while a batch is written (its version moved on) stays pending for
 *   the next round.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Models } from '../../models/index.js';
import type { Logger } from '../log.js';
import { luaScript } from '../redis-script.js';
import { CACHE_TTL_MS, DIRTY_KEY, PENDING_FIELDS, RESIDENT_KEY_PREFIX } from './keys.js';

/** Statements per update command (FerretDB: see above). */
export const WRITE_BACK_BATCH = 25;
/** The writer's lease and its batch are held this long at most (a write takes well under a second). */
const LEASE_MS = 30_000;
/** After a failed write, the batch is due again this much later. */
const RETRY_MS = 2000;
/** How often an idle writer looks for due changes. */
const POLL_MS = 200;

const PENDING = `'${PENDING_FIELDS.join("', '")}'`;
const WRITER_KEY = 'linli:resident-writer';

/**
 * KEYS: dirty set, writer lease. ARGV: due up to (ms or '+inf'), how many, lease end, hash key
 * prefix, writer id, lease ms. Nil while another writer holds the lease; else member, [id, pv,
 * pending fields…] pairs (none: the lease is given back), the members hidden until the lease ends.
 */
const claim = luaScript(
  `if not redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6], 'NX') then return false end
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #members == 0 then redis.call('DEL', KEYS[2]) end
local out = {}
for _, m in ipairs(members) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[3], m)
  out[#out + 1] = m
  out[#out + 1] = redis.call('HMGET', ARGV[4] .. m, 'id', 'pv', ${PENDING})
end
return out`,
  2,
);

/**
 * KEYS: dirty set, writer lease. ARGV: hash key prefix, cache TTL, when a member is due again,
 * writer id, 'written' | 'failed', then (member, version written) pairs. Written: clears the
 * pending fields the write carried (a member whose version moved on keeps them for the next
 * round). Failed: the members are due again at ARGV[3]. Either way the lease goes if still ours.
 */
const settle = luaScript(
  `for i = 6, #ARGV, 2 do
  local key = ARGV[1] .. ARGV[i]
  local pv = redis.call('HGET', key, 'pv')
  if ARGV[5] == 'failed' or (pv and pv ~= ARGV[i + 1]) then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[i])
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    if pv then
      redis.call('HDEL', key, 'pv', ${PENDING})
      redis.call('PEXPIRE', key, ARGV[2])
    end
  end
end
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return 0`,
  2,
);

export interface WriteBackDeps {
  redis: Redis;
  models: Models;
  log?: Pick<Logger, 'warn' | 'error'>;
  /** RESIDENT_WRITE_BACK_MS (a change made during a write waits this long again). */
  writeBackMs: number;
}

const asDate = (ms: string) => new Date(Number(ms));

/** The MongoDB `$set` for one resident's pending fields (undefined: nothing to write). */
function setOf(pending: Array<string | null>): Record<string, unknown> | undefined {
  const [sub, subAt, unsubAt, scene, inbound, kf] = pending;
  const $set: Record<string, unknown> = {};
  if (sub) $set.subscribed = sub === '1';
  if (subAt) $set.subscribedAt = asDate(subAt);
  if (unsubAt) $set.unsubscribedAt = asDate(unsubAt);
  if (scene) $set.subscribeScene = scene;
  if (inbound && inbound !== '0') $set.lastInboundAt = asDate(inbound);
  if (kf) $set.kfSentSinceInbound = Number(kf);
  return Object.keys($set).length ? $set : undefined;
}

/**
 * One batch: claim up to `WRITE_BACK_BATCH` residents due by `upTo` (ms, or Infinity for all),
 * write them in one command, clear what was written. Returns how many residents it took, or
 * `busy` while another writer holds the lease.
 */
export async function flushResidentChanges(deps: WriteBackDeps, upTo: number = Date.now(), writer: string = randomUUID()): Promise<number | 'busy'> {
  const now = Date.now();
  const due = Number.isFinite(upTo) ? String(upTo) : '+inf';
  const raw = (await claim(deps.redis, DIRTY_KEY, WRITER_KEY, due, WRITE_BACK_BATCH, now + LEASE_MS, RESIDENT_KEY_PREFIX, writer, LEASE_MS)) as Array<
    string | Array<string | null>
  > | null;
  if (raw === null) return 'busy';
  if (raw.length === 0) return 0;
  const written: string[] = [];
  const ops = [];
  for (let i = 0; i < raw.length; i += 2) {
    const [id, pv, ...pending] = raw[i + 1] as Array<string | null>;
    written.push(raw[i] as string, pv ?? '');
    const $set = id && pv ? setOf(pending) : undefined;
    if ($set) ops.push({ updateOne: { filter: { _id: id }, update: { $set } } });
  }
  const done = (outcome: 'written' | 'failed', dueAgain: number) =>
    settle(deps.redis, DIRTY_KEY, WRITER_KEY, RESIDENT_KEY_PREFIX, CACHE_TTL_MS, dueAgain, writer, outcome, ...written);
  try {
    if (ops.length) await deps.models.Resident.bulkWrite(ops, { ordered: false });
  } catch (err) {
    // Due again soon (not after the whole lease): the changes stay pending in Redis meanwhile.
    await done('failed', Date.now() + RETRY_MS);
    throw err;
  }
  await done('written', Date.now() + deps.writeBackMs);
  return raw.length / 2;
}

/** Write back everything pending, due or not (tests; an operator's flush). Returns how many residents. */
export async function drainResidentChanges(deps: WriteBackDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await flushResidentChanges(deps, Infinity);
    if (n === 0) return total;
    if (n === 'busy') await new Promise((r) => setTimeout(r, 20));
    else total += n;
  }
}

/** How many residents have changes not yet in MongoDB. */
export const pendingResidents = (redis: Redis): Promise<number> => redis.zcard(DIRTY_KEY);

export interface RunningWriteBack {
  /** Stop after the batch in hand (what is still pending stays in Redis for the next writer). */
  close(): Promise<void>;
}

/** The write-back loop of a worker process: batch after batch while some are due (and the lease is free), else a look every 200 ms. */
export function startResidentWriteBack(deps: WriteBackDeps): RunningWriteBack {
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const writer = `${process.pid}-${randomUUID()}`;
  const loop = (async () => {
    while (!stopped) {
      let taken: number | 'busy' = 0;
      try {
        taken = await flushResidentChanges(deps, Date.now(), writer);
      } catch (err) {
        deps.log?.warn({ err: (err as Error).message }, 'resident write-back failed; the changes stay in Redis and are tried again');
        await pause(RETRY_MS);
        continue;
      }
      if (taken === 'busy' || taken < WRITE_BACK_BATCH) await pause(POLL_MS);
    }
  })();
  return {
    async close() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
