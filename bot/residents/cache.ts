/**
 * The webhook's `ResidentStore`: what every message reads and touches about its resident lives in
 * Redis (layout in `keys.ts`), so a message from a resident seen this week costs one Lua call and
 * no MongoDB round trip. A miss reads MongoDB (`_id` lookup) and loads the hash in the same call
 * that touches it; a resident never seen is created in MongoDB first, synchronously, as before.
 * Touches are recorded as pending fields in Redis before the reply goes out, and `write-back.ts`
 * carries them to MongoDB in coalesced batches; a language switch is written through.
 */
import type { Redis } from 'ioredis';
import type { Models } from '../../models/index.js';
import type { Language } from '../../models/resident.js';
import type { InboundMessage } from '../../handlers/inbound/messages.js';
import { residentIdFor } from '../../models/resident.js';
import { residentView, touchResidentDoc, type ResidentDoc, type ResidentStore, type ResidentView } from '../../handlers/inbound/touch-resident.js';
import { luaScript } from '../redis-script.js';
import { CACHE_TTL_MS, DIRTY_KEY, MARK_DIRTY_LUA, memberOf, residentKey } from './keys.js';

/**
 * Lua: record an inbound at `now` (ms). The window moves forward only (an older push that arrives
 * late does not shorten it); `strict` (a message run again by the rescue job) records nothing when
 * this inbound or a newer one is recorded already. Returns whether anything changed.
 */
const TOUCH_LUA = `${MARK_DIRTY_LUA}
local function touch(key, now, kind, scene, strict)
  local last = tonumber(redis.call('HGET', key, 'in')) or 0
  local t = tonumber(now)
  if strict == '1' and last >= t then return false end
  local changed = false
  if t >= last then
    redis.call('HSET', key, 'in', now, 'kf', '0', 'p:in', now, 'p:kf', '0')
    changed = true
  end
  if kind == 'subscribe' then
    redis.call('HSET', key, 'sub', '1', 'p:sub', '1', 'p:subAt', now)
    if scene ~= '' then redis.call('HSET', key, 'scene', scene, 'p:scene', scene) end
    changed = true
  elseif kind == 'unsubscribe' then
    redis.call('HSET', key, 'sub', '0', 'p:sub', '0', 'p:unsubAt', now)
    changed = true
  end
  return changed
end`;

const VIEW_FIELDS = `redis.call('HMGET', KEYS[1], 'id', 'lang', 'sub', 'scene', 'profile')`;

/**
 * Lua `touchCached(hash, dirty, now, kind, scene, strict, member, due)`: touch a cached resident
 * and return their fields, or false on a miss. Exported for a script that touches the resident in
 * the same call as other work (the webhook's claim, `bot/pipeline/claim.ts`); `touchArgs` gives
 * its arguments and `residentFromCache` reads its answer.
 */
export const TOUCH_CACHED_LUA = `${TOUCH_LUA}
local function touchCached(key, dirty, now, kind, scene, strict, member, due)
  if redis.call('EXISTS', key) == 0 then return false end
  if touch(key, now, kind, scene, strict) then mark(key, dirty, member, due) end
  return redis.call('HMGET', key, 'id', 'lang', 'sub', 'scene', 'profile')
end`;

/** KEYS: hash, dirty set. ARGV: now, kind, scene, strict, member, due. Nil on a miss. */
const touchHit = luaScript(`${TOUCH_CACHED_LUA}\nreturn touchCached(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])`, 2);

/**
 * KEYS: hash, dirty set. ARGV 1–6 as `touchHit`; 7 '1' when MongoDB does not hold this inbound yet;
 * 8 TTL; 9–15 the document read from MongoDB (id, lang, sub, scene, in, kf, profile). A concurrent
 * miss may have loaded the hash meanwhile: then only the touch is applied.
 */
const loadAndTouch = luaScript(
  `${TOUCH_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[9], 'lang', ARGV[10], 'sub', ARGV[11], 'in', ARGV[13], 'kf', ARGV[14], 'profile', ARGV[15])
  if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'scene', ARGV[12]) end
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  if ARGV[7] == '1' and touch(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]) then mark(KEYS[1], KEYS[2], ARGV[5], ARGV[6]) end
elseif touch(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]) then
  mark(KEYS[1], KEYS[2], ARGV[5], ARGV[6])
end
return ${VIEW_FIELDS}`,
  2,
);

/** KEYS: hash. ARGV: language. The cached copy of a language MongoDB already holds. */
const setCachedLanguage = luaScript(`if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'lang', ARGV[1]) end return 0`, 1);

/** KEYS: hash. ARGV: profile JSON. Only the copy of MongoDB changes; pending hot fields stay. */
const refreshProfile = luaScript(`if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'profile', ARGV[1]) end return 0`, 1);

type Profile = Pick<ResidentView, 'registration' | 'mobile' | 'householdId' | 'volunteer'> & { vulnerable: string[] };

const profileOf = (v: ResidentView): string =>
  JSON.stringify({
    registration: v.registration,
    vulnerable: v.vulnerable,
    mobile: v.mobile,
    householdId: v.householdId,
    volunteer: v.volunteer,
  } satisfies Profile);

/** The resident from the fields `touchCached` returned. */
export function residentFromCache(channel: 'wechat' | 'wecom', openid: string, fields: Array<string | null>): ResidentView {
  const [id, lang, sub, scene, profile] = fields;
  const p: Profile = profile ? JSON.parse(profile) : { vulnerable: [] };
  return {
    id: id!,
    channel,
    openid,
    language: (lang ?? 'zh-CN') as Language,
    subscribed: sub !== '0',
    registered: !!p.registration?.communityCode,
    ...(scene ? { subscribeScene: scene } : {}),
    ...(p.registration ? { registration: p.registration } : {}),
    vulnerable: p.vulnerable ?? [],
    ...(p.mobile ? { mobile: p.mobile } : {}),
    ...(p.householdId ? { householdId: p.householdId } : {}),
    ...(p.volunteer ? { volunteer: p.volunteer } : {}),
  };
}

const kindOf = (m: InboundMessage) => (m.type === 'event' && (m.event === 'subscribe' || m.event === 'unsubscribe') ? m.event : 'message');
const sceneOf = (m: InboundMessage) => (m.type === 'event' && m.event === 'subscribe' ? (m.sceneKey ?? '') : '');

export interface ResidentCacheDeps {
  redis: Redis;
  models: Models;
  /** RESIDENT_WRITE_BACK_MS: how long a change gathers later ones before it is written back. */
  writeBackMs: number;
  /** Wall clock for write-back scheduling (a test clock may run ahead; the write-back uses real time). */
  nowMs?: () => number;
}

/** `touchCached`'s keys (hash, dirty set) and arguments for one inbound; its change is due for the write-back at `dueMs`. */
export function touchArgs(
  channel: 'wechat' | 'wecom',
  inbound: InboundMessage,
  at: Date,
  strict: boolean,
  dueMs: number,
): { keys: [string, string]; args: string[] } {
  const openid = inbound.fromUser;
  return {
    keys: [residentKey(channel, openid), DIRTY_KEY],
    args: [String(at.getTime()), kindOf(inbound), sceneOf(inbound), strict ? '1' : '0', memberOf(channel, openid), String(dueMs)],
  };
}

export function cachedResidentStore(deps: ResidentCacheDeps): ResidentStore {
  const { redis, models } = deps;
  const nowMs = deps.nowMs ?? Date.now;

  async function touch(channel: 'wechat' | 'wecom', inbound: InboundMessage, at: Date, strict: boolean): Promise<ResidentView> {
    const openid = inbound.fromUser;
    const {
      keys: [key],
      args,
    } = touchArgs(channel, inbound, at, strict, nowMs() + deps.writeBackMs);
    const hit = (await touchHit(redis, key, DIRTY_KEY, ...args)) as Array<string | null> | null;
    if (hit) return residentFromCache(channel, openid, hit);
    // A miss: MongoDB is current for this resident (a hash with pending changes never expires).
    // By `_id` only: a (channel, openid) query scans the collection on FerretDB; a resident
    // imported under another `_id` is found by the upsert's duplicate-key fallback instead.
    let doc = await models.Resident.findById(residentIdFor(channel, openid)).lean<ResidentDoc>();
    const recorded = !doc;
    if (!doc) doc = await touchResidentDoc(models, channel, inbound, at); // first contact: created durably
    const v = residentView(channel, openid, doc);
    const loaded = (await loadAndTouch(
      redis,
      key,
      DIRTY_KEY,
      ...args,
      recorded ? '0' : '1',
      CACHE_TTL_MS,
      v.id,
      v.language,
      v.subscribed ? '1' : '0',
      v.subscribeScene ?? '',
      doc.lastInboundAt ? String(new Date(doc.lastInboundAt).getTime()) : '0',
      String(doc.kfSentSinceInbound ?? 0),
      profileOf(v),
    )) as Array<string | null>;
    return residentFromCache(channel, openid, loaded);
  }

  return {
    touch: (channel, inbound, at) => touch(channel, inbound, at, false),
    touchOnce: (channel, inbound, at) => touch(channel, inbound, at, true),
    async setLanguage(resident, language) {
      // Written through, not behind: whoever writes to the resident outside a conversation (a
      // volunteer decision, a supply update, a reminder) reads the language from MongoDB, and a
      // switch is one message in a resident's life.
      await models.Resident.updateOne({ _id: resident.id }, { $set: { language } });
      await setCachedLanguage(redis, residentKey(resident.channel, resident.openid), language);
    },
    async changed(channel, openid) {
      const key = residentKey(channel, openid);
      const id = await redis.hget(key, 'id');
      const doc = id ? await models.Resident.findById(id).lean<ResidentDoc>() : null; // not cached: nothing to refresh
      if (doc) await refreshProfile(redis, key, profileOf(residentView(channel, openid, doc)));
    },
  };
}
