import type { OutboundReply } from './messages.js';
import type { InboundMessage } from './messages.js';

/** What is known about one inbound message, shared by every server process (Redis). */
export type InboundRecord =
  | { state: 'running'; owner: string }
  | {
      state: 'done';
      /** `passive`: the reply went back in the HTTP answer; `late`: it goes out through the API. */
      via: 'passive' | 'late';
      reply: OutboundReply | null;
      channel: 'wechat' | 'wecom';
      openid: string;
      /** Late replies: `sending` once a sender claimed it, `sent` once the API accepted it. */
      delivery?: { state: 'sending' | 'sent'; at: string };
    };

export type DoneRecord = Extract<InboundRecord, { state: 'done' }>;

/**
 * A message whose webhook answered `success` at the deadline while its run was unfinished: kept
 * so the rescue job can run it if that run never records an outcome (its process died).
 */
export interface ParkedInbound {
  channel: 'wechat' | 'wecom';
  inbound: InboundMessage;
  /** When the webhook received it (the resident's 48-hour window opened then, not at the rescue). */
  receivedAt: string;
}

/** Port over the record store, so handlers stay free of Redis. */
export interface InboundStore {
  /** Atomically claim the message for this handler run; false when someone already has it. */
  claim(dedupKey: string, owner: string): Promise<boolean>;
  get(dedupKey: string): Promise<InboundRecord | undefined>;
  /** Record the outcome (kept long enough for WeChat's retries, or until a late reply is sent). */
  complete(dedupKey: string, record: DoneRecord): Promise<void>;
  /** Keep our running claim alive (a claim nobody renews lapses: its owner died). */
  renew(dedupKey: string, owner: string): Promise<void>;
  /** Drop our claim after a failure so WeChat's retry can run the handler again. */
  release(dedupKey: string, owner: string): Promise<void>;
  /** Keep a copy of a message answered `success` before its run finished (see `ParkedInbound`). */
  park(dedupKey: string, parked: ParkedInbound): Promise<void>;
  parked(dedupKey: string): Promise<ParkedInbound | undefined>;
}
