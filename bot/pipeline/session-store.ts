import type { Redis } from 'ioredis';
import type { ConversationSession, ConversationStore, ResidentLocks } from '../../handlers/inbound/session.js';
import { luaScript } from '../redis-script.js';

/**
 * A conversation is kept a day: idle for 30 minutes it asks "continue or start again?"
 * (product.md), so it must outlive the idle time by far.
 */
export const SESSION_TTL_S = 24 * 3600;

/** Where `redisConversationStore` keeps conversations and leases unless told otherwise. */
export const SESSION_PREFIX = 'wx:session:';
export const LEASE_PREFIX = 'wx:lock:';

/**
 * Lua `openConversation(lease, conversation, owner, ms)`: {1, conversation or nil} when the lease is
 * now ours, else {0} (`openedConversation` reads it). Exported for the webhook's claim, which opens
 * the conversation in the same call (`bot/pipeline/claim.ts`).
 */
export const OPEN_CONVERSATION_LUA = `
local function openConversation(lease, conversation, owner, ms)
  if redis.call('SET', lease, owner, 'PX', ms, 'NX') then return {1, redis.call('GET', conversation)} end
  return {0}
end`;

/** KEYS: lease, conversation. ARGV: owner, lease ms. */
const open = luaScript(`${OPEN_CONVERSATION_LUA}\nreturn openConversation(KEYS[1], KEYS[2], ARGV[1], ARGV[2])`, 2);

/** What `openConversation` answered. */
export function openedConversation(reply: unknown): { acquired: false } | { acquired: true; session?: ConversationSession } {
  const [taken, raw] = reply as [number, string | null | undefined];
  if (!taken) return { acquired: false };
  return raw ? { acquired: true, session: JSON.parse(raw) as ConversationSession } : { acquired: true };
}

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
export function redisResidentLocks(redis: Redis, prefix = LEASE_PREFIX): ResidentLocks {
  return {
    acquire: async (key, owner, ttlMs) => (await redis.set(prefix + key, owner, 'PX', ttlMs, 'NX')) === 'OK',
    release: async (key, owner) => void (await release(redis, prefix + key, owner)),
  };
}

export function redisConversationStore(redis: Redis, sessionPrefix = SESSION_PREFIX, lockPrefix = LEASE_PREFIX): ConversationStore {
  return {
    open: async (key, owner, ttlMs) => openedConversation(await open(redis, lockPrefix + key, sessionPrefix + key, owner, ttlMs)),
    async renew(key, owner, ttlMs) {
      return (await renew(redis, lockPrefix + key, owner, ttlMs)) === 1;
    },
    async close(key, owner, session) {
      const op = session === undefined ? 'keep' : session === null ? 'del' : 'set';
      return (await close(redis, lockPrefix + key, sessionPrefix + key, owner, op, session ? JSON.stringify(session) : '', SESSION_TTL_S)) === 1;
    },
  };
}
