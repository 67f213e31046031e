import type { Models } from '../../models/index.js';
import { residentIdFor, type Language } from '../../models/resident.js';
import type { InboundMessage } from './messages.js';

/** The resident fields a conversation step needs. */
export interface ResidentView {
  id: string;
  channel: 'wechat' | 'wecom';
  openid: string;
  language: Language;
  subscribed: boolean;
  registered: boolean;
}

/**
 * Record one inbound message on its resident with a single atomic upsert: every inbound opens
 * WeChat's 48-hour customer-service window afresh and resets its message budget (§8);
 * subscribe/unsubscribe events update `subscribed` (the unique (channel, openid) index makes
 * concurrent first messages create one resident).
 */
export async function touchResident(models: Models, channel: 'wechat' | 'wecom', inbound: InboundMessage, now: Date): Promise<ResidentView> {
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
  return residentView(channel, inbound.fromUser, doc!);
}

type ResidentDoc = { _id: unknown; language?: Language; subscribed?: boolean; registration?: { communityCode?: string }; lastInboundAt?: Date | null };

function residentView(channel: 'wechat' | 'wecom', openid: string, doc: ResidentDoc): ResidentView {
  return {
    id: String(doc._id),
    channel,
    openid,
    language: doc.language ?? 'zh-CN',
    subscribed: doc.subscribed ?? true,
    registered: !!doc.registration?.communityCode,
  };
}

/**
 * For a message run again later (the rescue job): the resident as stored when this inbound (or
 * a newer one) is recorded on it already — touching again would move `lastInboundAt` back and
 * reset the count of messages sent since — otherwise `touchResident` as usual.
 */
export async function touchResidentOnce(models: Models, channel: 'wechat' | 'wecom', inbound: InboundMessage, receivedAt: Date): Promise<ResidentView> {
  const doc =
    (await models.Resident.findById(residentIdFor(channel, inbound.fromUser)).lean<ResidentDoc>()) ??
    (await models.Resident.findOne({ channel, openid: inbound.fromUser }).lean<ResidentDoc>());
  if (doc?.lastInboundAt && doc.lastInboundAt.getTime() >= receivedAt.getTime()) return residentView(channel, inbound.fromUser, doc);
  return touchResident(models, channel, inbound, receivedAt);
}
