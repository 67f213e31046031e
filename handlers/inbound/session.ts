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
