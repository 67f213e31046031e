import type { Config } from '../config.js';
import type { ChannelMode, DecodedRequest, OutboundReply } from '../wechat/index.js';

/** One inbound channel's protocol settings, resolved from the config once. */
export interface ChannelSpec {
  /** The stored `Resident.channel`. */
  channel: 'wechat' | 'wecom';
  mode: ChannelMode;
  token: string;
  aesKey: string;
  /** OA AppID or WeCom CorpID: the receiveid inside every ciphertext. */
  receiveId: string;
  /** OA compatible/safe mode: refuse plaintext pushes (their `signature` does not cover the body). */
  requireEncrypted: boolean;
}

export function officialAccountChannel(c: Config): ChannelSpec {
  return {
    channel: 'wechat',
    mode: 'oa',
    token: c.WECHAT_TOKEN,
    aesKey: c.WECHAT_ENCODING_AES_KEY,
    receiveId: c.WECHAT_APP_ID,
    requireEncrypted: c.WECHAT_MESSAGE_MODE !== 'plain',
  };
}

export function wecomChannel(c: Config): ChannelSpec | undefined {
  if (!c.WECOM_CORP_ID) return undefined;
  return { channel: 'wecom', mode: 'wecom', token: c.WECOM_TOKEN, aesKey: c.WECOM_ENCODING_AES_KEY, receiveId: c.WECOM_CORP_ID, requireEncrypted: true };
}

/** What the reply step should answer. `late`: the deadline passed; answer `success`, send later. */
export type ReplyOutcome = { kind: 'passive'; reply: OutboundReply | null } | { kind: 'late' };

/**
 * The webhook's per-request state, filled in data order by the pipeline modules:
 * read-body → decode → encode-reply → deadline → dedup → session → dispatch.
 */
export interface WebhookState {
  spec: ChannelSpec;
  /** Set first (`arrive`): when the request reached us (`performance.now()`); the reply deadline counts from it. */
  arrivedAt: number;
  rawBody: string;
  request: DecodedRequest;
  /**
   * Set by `deadline`: fixes, once, whether this request answers passively (with `reply`) or
   * late (`via: 'late'`, for a retry of a message whose reply already went out late).
   */
  settle: (reply: OutboundReply | null, via?: 'passive' | 'late') => 'passive' | 'late';
  /** Resolved by the deadline step; read by encode-reply. */
  outcome: ReplyOutcome;
  /**
   * Set by `dedup`: awaited by the deadline step when the deadline passes with the run
   * unfinished, before `success` goes back (it hands the message to the rescue job).
   */
  onLate?: () => Promise<void>;
  /** Set by `dedup`: when the message was received (its resident's 48-hour window counts from it). */
  receivedAt: Date;
  /** Set by `dedup`'s claim when it also opened the resident and their conversation (`claim.ts`). */
  preopened?: import('../../handlers/inbound/handle-inbound.js').Preopened;
  /** Set by `session`: the resident (recorded) and their conversation, under the resident's lease. */
  opened: import('../../handlers/inbound/handle-inbound.js').OpenInbound;
  resident: import('../../handlers/inbound/touch-resident.js').ResidentView;
  /** Set by `dispatch`: the engine's step (its session is saved by `session`). */
  stepped?: import('../../handlers/inbound/handle-inbound.js').SteppedInbound;
  /** Set by `dispatch`: the flow step's answer. */
  reply: OutboundReply | null;
}
