import type { ConversationSession } from '../../flows/engine/types.js';

export type { ConversationSession } from '../../flows/engine/types.js';

/** Three-method storage port (grammY's lesson): load, save, forget. */
export interface SessionStore {
  get(key: string): Promise<ConversationSession | undefined>;
  set(key: string, session: ConversationSession): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A per-resident lease (Redis `SET NX PX` on the rim). Two messages from the same resident at the
 * same moment run one after the other, so neither overwrites the other's session; a lease whose
 * holder died expires by itself.
 */
export interface ResidentLocks {
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
}

export const sessionKey = (channel: string, openid: string) => `${channel}:${openid}`;

/** A lease outlives any one conversation step (the engine is pure; effects are a few writes). */
export const RESIDENT_LOCK_TTL_MS = 10_000;
const POLL_MS = 20;

/** Wait for the resident's lease (at most a lease lifetime: then its holder is dead and it lapsed). */
export async function acquireResidentLock(locks: ResidentLocks, key: string, owner: string, now: () => number = Date.now): Promise<void> {
  const until = now() + RESIDENT_LOCK_TTL_MS + 1000;
  while (!(await locks.acquire(key, owner, RESIDENT_LOCK_TTL_MS))) {
    if (now() > until) throw new Error(`the conversation of ${key} stayed locked`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
