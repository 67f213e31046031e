import type { Redis } from 'ioredis';
import type { ConversationSession, ConversationStore, ResidentLocks } from '../../handlers/inbound/session.js';
import { luaScript } from '../redis-script.js';

/**
 * A conversation is kept a day: idle for 30 minutes it asks "continue or start again?"
 * (product.md), so it must outlive the idle time by far.
 */
export const SESSION_TTL_S = 24 * 3600;

/** KEYS: lease, conversation. ARGV: owner, lease ms. [1, conversation or nil] when the lease is ours, else [0]. */
const open = luaScript(`if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1, redis.call('GET', KEYS[2])} end return {0}`, 2);

/**
 * KEYS: lease, conversation. ARGV: owner, 'set' | 'del' | 'keep', conversation JSON, TTL s.
 * Saves and lets the lease go only while the lease is still ours: a step that outlived it (its
 * holder stalled) must not overwrite what a later message saved. 1 when ours, else 0.
 */
const close = luaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == 'set' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) elseif ARGV[2] == 'del' then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1])
return 1`,
  2,
);

/** KEYS: lease. ARGV: owner, lease ms. Extends the lease only if it is still ours: 1, else 0. */
const renew = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`, 1);

/** KEYS: lease. ARGV: owner. Deletes the lease only if it is still ours. */
const release = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1);

/** A lease alone (`SET NX PX`): the resident's (same keys as `redisConversationStore`), or another prefix's. */
export function redisResidentLocks(redis: Redis, prefix = 'wx:lock:'): ResidentLocks {
  return {
    acquire: async (key, owner, ttlMs) => (await redis.set(prefix + key, owner, 'PX', ttlMs, 'NX')) === 'OK',
    release: async (key, owner) => void (await release(redis, prefix + key, owner)),
  };
}

export function redisConversationStore(redis: Redis, sessionPrefix = 'wx:session:', lockPrefix = 'wx:lock:'): ConversationStore {
  return {
    async open(key, owner, ttlMs) {
      const [taken, raw] = (await open(redis, lockPrefix + key, sessionPrefix + key, owner, ttlMs)) as [number, string | null | undefined];
      if (!taken) return { acquired: false };
      return raw ? { acquired: true, session: JSON.parse(raw) as ConversationSession } : { acquired: true };
    },
    async renew(key, owner, ttlMs) {
      return (await renew(redis, lockPrefix + key, owner, ttlMs)) === 1;
    },
    async close(key, owner, session) {
      const op = session === undefined ? 'keep' : session === null ? 'del' : 'set';
      return (await close(redis, lockPrefix + key, sessionPrefix + key, owner, op, session ? JSON.stringify(session) : '', SESSION_TTL_S)) === 1;
    },
  };
}
