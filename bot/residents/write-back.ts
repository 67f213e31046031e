/**
 * Carries the residents' pending changes (see `keys.ts`) from Redis to MongoDB behind the replies:
 * a loop in every worker process takes the residents whose changes are due, writes each one's
 * latest values with one `updateOne` by `_id`, 99 to a command, and then clears what it wrote.
 *
 * - Coalesced: a resident who sent ten messages within RESIDENT_WRITE_BACK_MS is written once.
 * - Below 100 statements per `update` command: FerretDB 1.x wedges on 100 (README, FerretDB).
 * - Nothing is lost: a change is in Redis before the webhook answers, and stays there until its
 *   write succeeded. A writer that dies holds its batch for `LEASE_MS`, then another takes it; a
 *   change made while a batch is written (its version moved on) stays pending for the next round.
 * - Several worker processes share the work: a batch is claimed atomically and hidden from the
 *   others for the lease.
 */
import type { Redis } from 'ioredis';
import type { Models } from '../../models/index.js';
import type { Logger } from '../log.js';
import { luaScript } from '../redis-script.js';
import { CACHE_TTL_MS, DIRTY_KEY, PENDING_FIELDS, RESIDENT_KEY_PREFIX } from './keys.js';

/** Statements per update command: FerretDB 1.x never answers one of 100 or more. */
export const WRITE_BACK_BATCH = 99;
/** A claimed batch is hidden from other writers this long (a write takes well under a second). */
const LEASE_MS = 30_000;
/** After a failed write, the batch is due again this much later. */
const RETRY_MS = 2000;
/** How often an idle writer looks for due changes. */
const POLL_MS = 200;

/**
 * KEYS: dirty set. ARGV: due up to (ms or '+inf'), how many, lease end, hash key prefix.
 * Returns member, [id, pv, pending fields…] pairs; the members are hidden until the lease ends.
 */
const claim = luaScript(
  `local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, m in ipairs(members) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[3], m)
  out[#out + 1] = m
  out[#out + 1] = redis.call('HMGET', ARGV[4] .. m, 'id', 'pv', '${PENDING_FIELDS.join("', '")}')
end
return out`,
  1,
);

/**
 * KEYS: dirty set. ARGV: hash key prefix, cache TTL, when a member changed meanwhile is due again,
 * then (member, version written) pairs. Clears the pending fields the write carried; a member
 * whose version moved on keeps them (the next round writes the newer values).
 */
const ack = luaScript(
  `for i = 4, #ARGV, 2 do
  local key = ARGV[1] .. ARGV[i]
  local pv = redis.call('HGET', key, 'pv')
  if pv and pv ~= ARGV[i + 1] then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[i])
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    if pv then
      redis.call('HDEL', key, 'pv', '${PENDING_FIELDS.join("', '")}')
      redis.call('PEXPIRE', key, ARGV[2])
    end
  end
end
return 0`,
  1,
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
  const [lang, sub, subAt, unsubAt, scene, inbound, kf] = pending;
  const $set: Record<string, unknown> = {};
  if (lang) $set.language = lang;
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
 * write them in one command, clear what was written. Returns how many residents it took.
 */
export async function flushResidentChanges(deps: WriteBackDeps, upTo: number = Date.now()): Promise<number> {
  const now = Date.now();
  const raw = (await claim(
    deps.redis,
    DIRTY_KEY,
    Number.isFinite(upTo) ? String(upTo) : '+inf',
    WRITE_BACK_BATCH,
    now + LEASE_MS,
    RESIDENT_KEY_PREFIX,
  )) as Array<string | Array<string | null>>;
  if (raw.length === 0) return 0;
  const written: string[] = [];
  const ops = [];
  for (let i = 0; i < raw.length; i += 2) {
    const member = raw[i] as string;
    const [id, pv, ...pending] = raw[i + 1] as Array<string | null>;
    written.push(member, pv ?? '');
    const $set = id && pv ? setOf(pending) : undefined;
    if ($set) ops.push({ updateOne: { filter: { _id: id }, update: { $set } } });
  }
  try {
    if (ops.length) await deps.models.Resident.bulkWrite(ops, { ordered: false });
  } catch (err) {
    // Due again soon (not after the whole lease): the changes stay pending in Redis meanwhile.
    const retryAt = Date.now() + RETRY_MS;
    await deps.redis.zadd(DIRTY_KEY, 'XX', ...written.flatMap((m, i) => (i % 2 === 0 ? [retryAt, m] : [])));
    throw err;
  }
  await ack(deps.redis, DIRTY_KEY, RESIDENT_KEY_PREFIX, CACHE_TTL_MS, Date.now() + deps.writeBackMs, ...written);
  return raw.length / 2;
}

/** Write back everything pending, due or not (tests; an operator's flush). Returns how many residents. */
export async function drainResidentChanges(deps: WriteBackDeps): Promise<number> {
  let total = 0;
  for (let n = await flushResidentChanges(deps, Infinity); n > 0; n = await flushResidentChanges(deps, Infinity)) total += n;
  return total;
}

/** How many residents have changes not yet in MongoDB. */
export const pendingResidents = (redis: Redis): Promise<number> => redis.zcard(DIRTY_KEY);

export interface RunningWriteBack {
  /** Stop after the batch in hand (what is still pending stays in Redis for the next writer). */
  close(): Promise<void>;
}

/** The write-back loop of a worker process: batch after batch while some are due, else a look every 200 ms. */
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
  const loop = (async () => {
    while (!stopped) {
      let taken = 0;
      try {
        taken = await flushResidentChanges(deps);
      } catch (err) {
        deps.log?.warn({ err: (err as Error).message }, 'resident write-back failed; the changes stay in Redis and are tried again');
        await pause(RETRY_MS);
        continue;
      }
      if (taken < WRITE_BACK_BATCH) await pause(POLL_MS);
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
