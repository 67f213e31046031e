/**
 * The messages the channel hands to the conversation and the replies it sends back: one shape
 * for the Official Account and WeCom alike (wechat-protocol.md §6, WeCom §3.3). Kept here, on the
 * use-case side, so `handlers/` never imports the channel codec; `bot/wechat/` produces and
 * consumes these types.
 */

/** A parsed element's children by tag name (an unknown message's fields as sent). */
export type RawValue = string | RawFields | RawValue[];
export interface RawFields {
  [name: string]: RawValue;
}

/** Fields every inbound message carries. */
export interface InboundCommon {
  /** OA original id `gh_…`, or the CorpID for WeCom (§1). */
  toUser: string;
  /** The user's OpenID (OA) or the member's UserID (WeCom) — authoritative, unlike `?openid`. */
  fromUser: string;
  /** `CreateTime`, integer seconds. */
  createTime: number;
  /** `MsgId` (or `MsgID` on TEMPLATESENDJOBFINISH), kept as a string: it is a 64-bit id. */
  msgId?: string;
  /** WeCom `AgentID`. */
  agentId?: string;
  /**
   * Key to claim atomically before any work (§5): `msg:<fromUser>:<msgId>` for messages,
   * `evt:<fromUser>:<createTime>:<Event>:<EventKey>` for events. Never derived from the query.
   */
  dedupKey: string;
}

/** Event pushes (`MsgType` event), discriminated on `event`. */
export type InboundEvent =
  /** Follow; through a parametric QR code `sceneKey` is the part after `qrscene_`. */
  | { event: 'subscribe'; sceneKey?: string; ticket?: string }
  | { event: 'unsubscribe' }
  /** An existing follower scanned a parametric QR code; `sceneKey` has no prefix. */
  | { event: 'scan'; sceneKey: string; ticket: string }
  | { event: 'location'; lat: number; lng: number; precision: number }
  | { event: 'click'; key: string }
  | { event: 'view'; url: string; menuId?: string }
  | { event: 'template_send_finished'; status: string }
  /** Any other event; `name` is the `Event` value as sent, `raw` all fields. */
  | { event: 'unknown_event'; name: string; raw: RawFields };

/** Message bodies, discriminated on `type`. */
export type InboundBody =
  | { type: 'text'; content: string }
  | { type: 'image'; picUrl: string; mediaId: string }
  /** `recognition` only when speech recognition produced text (often empty, §6). */
  | { type: 'voice'; mediaId: string; format: string; recognition?: string }
  | { type: 'video' | 'shortvideo'; mediaId: string; thumbMediaId: string }
  | { type: 'location'; lat: number; lng: number; scale: number; label: string }
  | { type: 'link'; title: string; description: string; url: string }
  | ({ type: 'event' } & InboundEvent)
  /** Any other `MsgType`; never an error, so a new type cannot break the webhook. */
  | { type: 'unknown'; msgType: string; raw: RawFields };

/** One normalised inbound push. */
export type InboundMessage = InboundCommon & InboundBody;

/** A news (图文) article. */
export interface NewsArticle {
  title: string;
  description: string;
  picUrl?: string;
  url: string;
}

/** The replies Linli sends: passively in the HTTP answer, or later through the API. */
export type OutboundReply = { type: 'text'; content: string } | { type: 'news'; articles: NewsArticle[] };
