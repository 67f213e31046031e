/**
 * Codes read aloud at a gate or a pick-up desk: from an alphabet without look-alikes (no 0/O,
 * 1/I/L, 2/Z, 5/S, 8/B), derived from the message that asked for them and an attempt number, so
 * a retry of that message derives the same code, and a collision (another message's code) moves
 * on to the next attempt. Uniqueness itself is a unique `_id` insert by the caller.
 */
import crypto from 'node:crypto';
import { isDuplicateKey } from '../audit/chain.js';

export { isDuplicateKey };

export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

/** A `length`-character code for (`key`, `attempt`). */
export function codeFor(key: string, attempt: number, length: number): string {
  const bytes = crypto.createHash('sha256').update(`${key}\u0000${attempt}`).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[bytes[i]! % CODE_ALPHABET.length];
  return out;
}

/** A code as typed back by staff: upper case, without spaces or dashes (full-width folded). */
export function normalizeCode(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
}

/** The collection operations a code claim needs (a mongoose model fits). */
interface CodeStore {
  collection: { insertOne(doc: never): Promise<unknown> };
  findById(id: unknown): { lean<T>(): Promise<T | null> };
}

/**
 * Take a code for `key`: the first of its derived codes whose `_id` (`idOf(code)`) is free — a
 * unique insert — or the one this key took already (a retry: `ours` recognises the stored doc).
 */
export async function claimCode<D extends object>(
  store: CodeStore,
  o: { key: string; length: number; idOf(code: string): unknown; doc: D; ours(held: D): boolean },
): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const code = codeFor(o.key, attempt, o.length);
    const _id = o.idOf(code);
    try {
      await store.collection.insertOne({ _id, ...o.doc } as never);
      return code;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await store.findById(_id).lean<D>();
      if (held && o.ours(held)) return code;
    }
  }
  throw new Error(`no free ${o.length}-character code after 50 attempts`);
}
