import type { Models } from '../../models/index.js';
import type { InboundMessage } from './messages.js';
import { touchResident, touchResidentOnce, type ResidentView } from './touch-resident.js';

/**
 * Conversation state between messages. Residents answer hours apart and across deploys, so the
 * state is data in a store, never a suspended function (architecture.md, "Not to copy").
 */
export interface ConversationSession {
  /** The flow in progress and its current step, when any. */
  flow?: string;
  step?: string;
  /** Answers collected so far in the flow. */
  data?: Record<string, unknown>;
  /** Invalid answers in a row at the current step (three offer a human). */
  misses?: number;
  updatedAt?: string;
}

/** Three-method storage port (grammY's lesson): load, save, forget. */
export interface SessionStore {
  get(key: string): Promise<ConversationSession | undefined>;
  set(key: string, session: ConversationSession): Promise<void>;
  delete(key: string): Promise<void>;
}

export const sessionKey = (channel: string, openid: string) => `${channel}:${openid}`;

/** A resident's conversation as loaded for one message (see `openConversation`). */
export interface OpenConversation {
  key: string;
  resident: ResidentView;
  session: ConversationSession;
  /** Whether a stored session existed (an emptied one is then deleted). */
  stored: boolean;
}

/**
 * Load the resident and their conversation. Used by the webhook's session step and by the
 * rescue job, so both run a message the same way. The webhook records the inbound on the
 * resident (`touchResident`); the rescue job runs a message whose run may have recorded it
 * already (`rerun`: `touchResidentOnce`).
 */
export async function openConversation(
  models: Models,
  store: SessionStore,
  channel: 'wechat' | 'wecom',
  inbound: InboundMessage,
  receivedAt: Date,
  o: { rerun?: boolean } = {},
): Promise<OpenConversation> {
  const key = sessionKey(channel, inbound.fromUser);
  const loadResident = () => (o.rerun ? touchResidentOnce : touchResident)(models, channel, inbound, receivedAt);
  const [resident, loaded] = await Promise.all([loadResident(), store.get(key)]);
  return { key, resident, session: loaded ?? {}, stored: !!loaded };
}

/** Save the conversation as the flow step left it: deleted when emptied, written when changed. */
export async function saveConversation(store: SessionStore, opened: OpenConversation, after: ConversationSession, now: Date): Promise<void> {
  const [was, is] = [JSON.stringify(opened.session), JSON.stringify(after)];
  if (is === '{}' && opened.stored) await store.delete(opened.key);
  else if (is !== was) await store.set(opened.key, { ...after, updatedAt: now.toISOString() });
}
