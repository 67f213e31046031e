import type { ConversationSession } from '../../flows/engine/types.js';

export type { ConversationSession } from '../../flows/engine/types.js';

/**
 * A resident's conversation and their lease, in one store (Redis on the rim), each call one round
 * trip. The lease makes two messages from the same resident at the same moment run one after the
 * other, so neither overwrites the other's conversation; a lease whose holder died expires by
 * itself. (grammY's storage port, with the lease folded in: load, save or forget.)
 */
export interface ConversationStore {
  /** Take the resident's lease for `ttlMs` and, when taken, read their conversation. */
  open(key: string, owner: string, ttlMs: number): Promise<{ acquired: false } | { acquired: true; session?: ConversationSession }>;
  /** Keep the lease `ttlMs` more if it is still ours (false: it lapsed, maybe taken by another message). */
  renew(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * If the lease is still ours: save the conversation (`null`: forget it; `undefined`: leave it as
   * it is) and let the lease go, true. Otherwise nothing is written (a later message may have saved
   * since), false.
   */
  close(key: string, owner: string, session: ConversationSession | null | undefined): Promise<boolean>;
}

/** A lease alone (same SET NX PX shape), for staff work that must run one at a time per key (health alerts, escalations). */
export interface ResidentLocks {
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
}

export const sessionKey = (channel: string, openid: string) => `${channel}:${openid}`;

/**
 * A lease outlives a normal conversation step (the engine is pure; effects are a few writes); a
 * slower one (a slow database, a run past the webhook deadline) keeps it by renewing (`keepLease`).
 */
export const RESIDENT_LOCK_TTL_MS = 10_000;
const POLL_MS = 20;

/**
 * Wait for the resident's lease (at most a lease lifetime: a dead holder's lease has lapsed by
 * then; a live one still renewing it makes this message fail, to be retried) and return their
 * conversation, if any.
 */
export async function openConversation(
  store: ConversationStore,
  key: string,
  owner: string,
  now: () => number = Date.now,
): Promise<ConversationSession | undefined> {
  const until = now() + RESIDENT_LOCK_TTL_MS + 1000;
  for (;;) {
    const opened = await store.open(key, owner, RESIDENT_LOCK_TTL_MS);
    if (opened.acquired) return opened.session;
    if (now() > until) throw new Error(`the conversation of ${key} stayed locked`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Renew the lease every third of its lifetime while the step runs, so a slow step keeps it; a
 * step done within a third costs no renewal at all. Returns the stop.
 */
export function keepLease(store: ConversationStore, key: string, owner: string, ttlMs = RESIDENT_LOCK_TTL_MS): () => void {
  const timer = setInterval(() => void store.renew(key, owner, ttlMs).catch(() => {}), ttlMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
