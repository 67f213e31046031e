import type { Redis } from 'ioredis';
import type { InboundDeps, Preopened } from '../../handlers/inbound/handle-inbound.js';
import { RESIDENT_LOCK_TTL_MS, sessionKey } from '../../handlers/inbound/session.js';
import { luaScript } from '../redis-script.js';
import { residentFromCache, TOUCH_CACHED_LUA, touchArgs } from '../residents/cache.js';
import type { WebhookState } from './channel.js';
import { INBOUND_PREFIX, RUNNING_TTL_MS, runningRecord } from './dedup-store.js';
import { LEASE_PREFIX, OPEN_CONVERSATION_LUA, openedConversation, SESSION_PREFIX } from './session-store.js';

/**
 * KEYS: message record, resident hash, dirty set, lease, conversation. ARGV: running record, claim
 * ms, `touchCached`'s six arguments, lease owner, lease ms. {0} when the message is claimed
 * already (nothing else done); else {1, resident fields or nil, `openConversation`'s answer}.
 */
const claimAndOpen = luaScript(
  `${TOUCH_CACHED_LUA}
${OPEN_CONVERSATION_LUA}
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {0} end
return {1, touchCached(KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]), openConversation(KEYS[4], KEYS[5], ARGV[9], ARGV[10])}`,
  5,
);

/** KEYS: message record, lease. ARGV: running record, lease owner. Undoes a claim whose answer could not be read. */
const undo = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 0`,
  2,
);

export type ClaimMessage = (dedupKey: string, owner: string, state: WebhookState) => Promise<boolean>;

/**
 * The webhook's first Redis round trip for a message: claim it (dedup) and, once claimed, touch
 * the resident in the cache and take their lease with the conversation (session), in one Lua call
 * rather than a claim followed by two more. What it found goes to the session step as
 * `state.preopened`; what it could not do (a resident not cached, a lease another message holds)
 * `openInbound` does itself. Same keys as `redisInboundStore`, `cachedResidentStore` and
 * `redisConversationStore`.
 */
export function claimAndOpenMessage(redis: Redis, deps: Pick<InboundDeps, 'owner'>, writeBackMs: number): ClaimMessage {
  return async (dedupKey, owner, state) => {
    const { channel } = state.spec;
    const { inbound } = state.request;
    const leaseOwner = deps.owner();
    const conversation = sessionKey(channel, inbound.fromUser);
    const touch = touchArgs(channel, inbound, state.receivedAt, false, Date.now() + writeBackMs);
    const record = runningRecord(owner);
    const reply = (await claimAndOpen(
      redis,
      INBOUND_PREFIX + dedupKey,
      ...touch.keys,
      LEASE_PREFIX + conversation,
      SESSION_PREFIX + conversation,
      record,
      RUNNING_TTL_MS,
      ...touch.args,
      leaseOwner,
      RESIDENT_LOCK_TTL_MS,
    )) as [0] | [1, Array<string | null> | null, unknown];
    if (reply[0] === 0) return false;
    try {
      const opened = openedConversation(reply[2]);
      const pre: Preopened = { owner: leaseOwner };
      if (reply[1]) pre.resident = residentFromCache(channel, inbound.fromUser, reply[1]);
      if (opened.acquired) pre.conversation = opened.session ? { session: opened.session } : {};
      state.preopened = pre;
      return true;
    } catch (err) {
      // A stored value that does not parse: let the message and the resident go, then fail (500).
      await undo(redis, INBOUND_PREFIX + dedupKey, LEASE_PREFIX + conversation, record, leaseOwner).catch(() => {});
      throw err;
    }
  };
}
