import type { Models } from '../../models/index.js';
import { residentIdFor, type Language } from '../../models/resident.js';
import { flagsOf } from '../../models/vulnerability.js';
import type { InboundMessage } from './messages.js';

/** The resident fields a conversation step needs. */
export interface ResidentView {
  id: string;
  channel: 'wechat' | 'wecom';
  openid: string;
  language: Language;
  subscribed: boolean;
  registered: boolean;
  subscribeScene?: string;
  registration?: { communityCode: string; buildingCode?: string; unit?: string; room?: string; householdSize?: number };
  vulnerable: string[];
  mobile?: string;
  householdId?: string;
  /** Pending or approved volunteer (the `1` that answers a task prompt is read only for approved ones). */
  volunteer?: 'pending' | 'approved';
}

/**
 * Where the conversation gets its resident: recorded on every inbound, read by the rescue job.
 * The MongoDB version is below (every call a round trip); the webhook uses the Redis-cached one
 * (`bot/residents/cache.ts`), which writes these changes back to MongoDB behind the reply.
 */
export interface ResidentStore {
  /** Record one inbound on the resident (48-hour window, budget, subscription) and return them. */
  touch(channel: 'wechat' | 'wecom', inbound: InboundMessage, receivedAt: Date): Promise<ResidentView>;
  /** For a message run again later: record it only if no newer inbound is recorded (see `touchResidentOnce`). */
  touchOnce(channel: 'wechat' | 'wecom', inbound: InboundMessage, receivedAt: Date): Promise<ResidentView>;
  /** The resident chose a language: the next message is answered in it. */
  setLanguage(resident: ResidentView, language: Language): Promise<void>;
  /**
   * An effect changed what MongoDB holds about the resident (registration, household, mobile):
   * a cached copy must pick it up. Anything that edits those fields outside a conversation must
   * call it too.
   */
  changed(channel: 'wechat' | 'wecom', openid: string): Promise<void>;
}

export function mongoResidentStore(models: Models): ResidentStore {
  return {
    touch: (channel, inbound, at) => touchResident(models, channel, inbound, at),
    touchOnce: (channel, inbound, at) => touchResidentOnce(models, channel, inbound, at),
    setLanguage: async (resident, language) => void (await models.Resident.updateOne({ _id: resident.id }, { $set: { language } })),
    changed: async () => {},
  };
}

/**
 * Record one inbound message on its resident with a single atomic upsert: every inbound opens
 * WeChat's 48-hour customer-service window afresh and resets its message budget (§8);
 * subscribe/unsubscribe events update `subscribed` (the unique (channel, openid) index makes
 * concurrent first messages create one resident).
 */
export async function touchResident(models: Models, channel: 'wechat' | 'wecom', inbound: InboundMessage, now: Date): Promise<ResidentView> {
  return residentView(channel, inbound.fromUser, await touchResidentDoc(models, channel, inbound, now));
}

/** `touchResident`, answering the whole stored document (the cache loads its hot fields from it). */
export async function touchResidentDoc(models: Models, channel: 'wechat' | 'wecom', inbound: InboundMessage, now: Date): Promise<ResidentDoc> {
  const set: Record<string, unknown> = { lastInboundAt: now, kfSentSinceInbound: 0 };
  if (inbound.type === 'event' && inbound.event === 'subscribe') {
    Object.assign(set, { subscribed: true, subscribedAt: now });
    if (inbound.sceneKey) set.subscribeScene = inbound.sceneKey;
  } else if (inbound.type === 'event' && inbound.event === 'unsubscribe') {
    Object.assign(set, { subscribed: false, unsubscribedAt: now });
  }
  const upsert = (filter: Record<string, unknown>) =>
    models.Resident.findOneAndUpdate(
      filter,
      { $set: set, $setOnInsert: { channel, openid: inbound.fromUser } },
      // No projection: FerretDB 1.x does not implement findAndModify's `fields`.
      { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true },
    ).lean<ResidentDoc>();
  let doc;
  try {
    doc = await upsert({ _id: residentIdFor(channel, inbound.fromUser) });
  } catch (err) {
    // Duplicate key: either two first messages raced (the loser now finds the winner's
    // document), or the resident was imported with another _id (found by the slower query).
    if ((err as { code?: number }).code !== 11000) throw err;
    doc = await upsert({ channel, openid: inbound.fromUser });
  }
  return doc!;
}

/** A resident by `_id` (derived from channel and openid), else by (channel, openid) for one imported under another `_id`. */
export async function findResident(models: Models, channel: 'wechat' | 'wecom', openid: string): Promise<ResidentDoc | null> {
  return (
    (await models.Resident.findById(residentIdFor(channel, openid)).lean<ResidentDoc>()) ??
    (await models.Resident.findOne({ channel, openid }).lean<ResidentDoc>())
  );
}

export type ResidentDoc = {
  _id: unknown;
  language?: Language;
  subscribed?: boolean;
  subscribeScene?: string;
  registration?: { communityCode?: string; buildingCode?: string; unit?: string; room?: string; householdSize?: number };
  vulnerable?: Record<string, boolean>;
  mobile?: string;
  householdId?: unknown;
  lastInboundAt?: Date | null;
  kfSentSinceInbound?: number | null;
  volunteerStatus?: string | null;
};

export function residentView(channel: 'wechat' | 'wecom', openid: string, doc: ResidentDoc): ResidentView {
  const r = doc.registration;
  return {
    id: String(doc._id),
    channel,
    openid,
    language: doc.language ?? 'zh-CN',
    subscribed: doc.subscribed ?? true,
    registered: !!r?.communityCode,
    ...(doc.subscribeScene ? { subscribeScene: doc.subscribeScene } : {}),
    ...(r?.communityCode
      ? { registration: { communityCode: r.communityCode, buildingCode: r.buildingCode, unit: r.unit, room: r.room, householdSize: r.householdSize } }
      : {}),
    vulnerable: flagsOf(doc.vulnerable),
    ...(doc.mobile ? { mobile: doc.mobile } : {}),
    ...(doc.householdId ? { householdId: String(doc.householdId) } : {}),
    ...(doc.volunteerStatus === 'pending' || doc.volunteerStatus === 'approved' ? { volunteer: doc.volunteerStatus } : {}),
  };
}

/**
 * For a message run again later (the rescue job): the resident as stored when this inbound (or
 * a newer one) is recorded on it already — touching again would move `lastInboundAt` back and
 * reset the count of messages sent since — otherwise `touchResident` as usual.
 */
export async function touchResidentOnce(models: Models, channel: 'wechat' | 'wecom', inbound: InboundMessage, receivedAt: Date): Promise<ResidentView> {
  const doc = await findResident(models, channel, inbound.fromUser);
  if (doc?.lastInboundAt && doc.lastInboundAt.getTime() >= receivedAt.getTime()) return residentView(channel, inbound.fromUser, doc);
  return touchResident(models, channel, inbound, receivedAt);
}
