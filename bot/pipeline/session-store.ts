import type { Redis } from 'ioredis';
import type { ConversationSession, SessionStore } from '../../handlers/inbound/session.js';

/** A conversation idle for 30 minutes expires (product.md, "Anywhere in a flow"). */
export const SESSION_IDLE_TTL_S = 30 * 60;

export function redisSessionStore(redis: Redis, prefix = 'wx:session:'): SessionStore {
  return {
    async get(key) {
      const raw = await redis.get(prefix + key);
      return raw ? (JSON.parse(raw) as ConversationSession) : undefined;
    },
    async set(key, session) {
      await redis.set(prefix + key, JSON.stringify(session), 'EX', SESSION_IDLE_TTL_S);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}
