import type { Redis } from 'ioredis';
import type { InboundRecord, InboundStore, ParkedInbound } from '../../handlers/inbound/inbound-store.js';

export type { InboundRecord, InboundStore, ParkedInbound };

/**
 * A claim lives 3 s unless its owner keeps renewing it (every second while the run lasts), so
 * the claim of a process that died mid-run lapses quickly and a WeChat retry can take over
 * within its own reply deadline.
 */
export const RUNNING_TTL_MS = 3000;
/** WeChat retries within ~15 s; keep passive outcomes 10 minutes, late ones a day for the sender. */
const PASSIVE_TTL_MS = 10 * 60_000;
const LATE_TTL_MS = 24 * 3600_000;
/** A parked message is needed for minutes at most (until its run or the rescue records an outcome). */
const PARKED_TTL_MS = 3600_000;

const RENEW_IF_OWNER = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) and string.find(v, '"state":"running"', 1, true) then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE_IF_OWNER = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Where `redisInboundStore` keeps each message's record unless told otherwise. */
export const INBOUND_PREFIX = 'wx:inbound:';
/** The record a claim writes (`SET NX PX RUNNING_TTL_MS`). */
export const runningRecord = (owner: string) => JSON.stringify({ state: 'running', owner } satisfies InboundRecord);

export function redisInboundStore(redis: Redis, prefix = INBOUND_PREFIX, parkedPrefix = 'wx:parked:'): InboundStore {
  return {
    claim: async (key, owner) => (await redis.set(prefix + key, runningRecord(owner), 'PX', RUNNING_TTL_MS, 'NX')) === 'OK',
    async get(key) {
      const raw = await redis.get(prefix + key);
      return raw ? (JSON.parse(raw) as InboundRecord) : undefined;
    },
    async complete(key, record) {
      const ttl = record.via === 'late' && record.delivery?.state !== 'sent' ? LATE_TTL_MS : PASSIVE_TTL_MS;
      await redis.set(prefix + key, JSON.stringify(record), 'PX', ttl);
    },
    async renew(key, owner) {
      await redis.eval(RENEW_IF_OWNER, 1, prefix + key, `"owner":${JSON.stringify(owner)}`, RUNNING_TTL_MS);
    },
    async release(key, owner) {
      await redis.eval(RELEASE_IF_OWNER, 1, prefix + key, `"owner":${JSON.stringify(owner)}`);
    },
    async park(key, parked) {
      await redis.set(parkedPrefix + key, JSON.stringify(parked), 'PX', PARKED_TTL_MS);
    },
    async parked(key) {
      const raw = await redis.get(parkedPrefix + key);
      return raw ? (JSON.parse(raw) as ParkedInbound) : undefined;
    },
  };
}
