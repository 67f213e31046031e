import type { Redis } from 'ioredis';
import type { ConversationSession, ResidentLocks, SessionStore } from '../../handlers/inbound/session.js';

/**
 * A conversation is kept a day: idle for 30 minutes it asks "continue or start again?"
 * (product.md), so it must outlive the idle time by far.
 */
export const SESSION_TTL_S = 24 * 3600;

export function redisSessionStore(redis: Redis, prefix = 'wx:session:'): SessionStore {
  return {
    async get(key) {
      const raw = await redis.get(prefix + key);
      return raw ? (JSON.parse(raw) as ConversationSession) : undefined;
    },
    async set(key, session) {
      await redis.set(prefix + key, JSON.stringify(session), 'EX', SESSION_TTL_S);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}

/** KEYS[1] lock; ARGV[1] owner. Deletes the lease only if it is still ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function redisResidentLocks(redis: Redis, prefix = 'wx:lock:'): ResidentLocks {
  return {
    acquire: async (key, owner, ttlMs) => (await redis.set(prefix + key, owner, 'PX', ttlMs, 'NX')) === 'OK',
    release: async (key, owner) => void (await redis.eval(RELEASE, 1, prefix + key, owner)),
  };
}
