/**
 * The resident cache in Redis, shared by the webhook (`cache.ts`), the write-back to MongoDB
 * (`write-back.ts`) and the customer-service window (`kf-window.ts`).
 *
 * `linli:resident:<channel>:<openid>`, a hash per resident:
 * - `id`: the MongoDB `_id`; `profile`: JSON `{registration?, vulnerable, mobile?, householdId?,
 *   volunteer?}`, a copy of MongoDB refreshed by `changed()` (a registration or a volunteer
 *   decision is stored durably, never here first);
 * - `lang` (written to MongoDB first, then here), `sub` ('1'/'0'), `scene`, `in` (lastInboundAt,
 *   ms), `kf` (kfSentSinceInbound): the hot fields, ahead of MongoDB while a change is pending;
 * - `p:sub`, `p:subAt`, `p:unsubAt`, `p:scene`, `p:in`, `p:kf`: changes not yet in
 *   MongoDB (per field only the latest value: coalesced), and `pv`, their version, so the
 *   write-back clears only what it wrote.
 *
 * `linli:resident-dirty`, a sorted set of `<channel>:<openid>` with pending changes, scored by
 * when the write-back should take them (first change + RESIDENT_WRITE_BACK_MS; while a writer
 * holds them, the end of its lease). A hash with pending changes never expires (PERSIST); written
 * back, it lives `CACHE_TTL_MS` more. Both need Redis persistence (AOF) like BullMQ's queues.
 * (The write-back's scripts read the hashes named by the set's members, so on Redis Cluster these
 * keys would need one hash tag.)
 */
export const RESIDENT_KEY_PREFIX = 'linli:resident:';
export const DIRTY_KEY = 'linli:resident-dirty';
/** A resident not heard from for a week is read from MongoDB again. */
export const CACHE_TTL_MS = 7 * 24 * 3600_000;
/** The pending fields, in the order the write-back reads them. */
export const PENDING_FIELDS = ['p:sub', 'p:subAt', 'p:unsubAt', 'p:scene', 'p:in', 'p:kf'] as const;

export const memberOf = (channel: string, openid: string) => `${channel}:${openid}`;
export const residentKey = (channel: string, openid: string) => RESIDENT_KEY_PREFIX + memberOf(channel, openid);

/**
 * Lua: record that the hash `key` has a change for the write-back (`member` in `dirty`, due at
 * `due` unless it is due earlier already) and keep it from expiring until written.
 */
export const MARK_DIRTY_LUA = `
local function mark(key, dirty, member, due)
  redis.call('HINCRBY', key, 'pv', 1)
  redis.call('ZADD', dirty, 'NX', due, member)
  redis.call('PERSIST', key)
end`;
