import type { Redis } from 'ioredis';
import type { ConversationSession, ConversationStore } from '../../handlers/inbound/session.js';
import { luaScript } from '../redis-script.js';

/**
 * A conversation is kept a day: idle for 30 minutes it asks "continue or start again?"
 * (product.md), so it must outlive the idle time by far.
 */
export const SESSION_TTL_S = 24 * 3600;

/** KEYS: lease, conversation. ARGV: owner, lease ms. [1, conversation or nil] when the lease is ours, else [0]. */
const open = luaScript(`if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1, redis.call('GET', KEYS[2])} end return {0}`, 2);

/** KEYS: lease, conversation. ARGV: owner, 'set' | 'del' | 'keep', conversation JSON, TTL s. The lease goes only if still ours. */
const close = luaScript(
  `if ARGV[2] == 'set' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) elseif ARGV[2] == 'del' then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`,
  2,
);

export function redisConversationStore(redis: Redis, sessionPrefix = 'wx:session:', lockPrefix = 'wx:lock:'): ConversationStore {
  return {
    async open(key, owner, ttlMs) {
      const [taken, raw] = (await open(redis, lockPrefix + key, sessionPrefix + key, owner, ttlMs)) as [number, string | null | undefined];
      if (!taken) return { acquired: false };
      return raw ? { acquired: true, session: JSON.parse(raw) as ConversationSession } : { acquired: true };
    },
    async close(key, owner, session) {
      const op = session === undefined ? 'keep' : session === null ? 'del' : 'set';
      await close(redis, lockPrefix + key, sessionPrefix + key, owner, op, session ? JSON.stringify(session) : '', SESSION_TTL_S);
    },
  };
}
