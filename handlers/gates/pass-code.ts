/**
 * Codes read aloud at a gate or a pick-up desk: from an alphabet without look-alikes (no 0/O,
 * 1/I/L, 2/Z, 5/S, 8/B), derived from the message that asked for them and an attempt number, so
 * a retry of that message derives the same code, and a collision (another message's code) moves
 * on to the next attempt. Uniqueness itself is a unique `_id` insert by the caller.
 */
import crypto from 'node:crypto';

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

export const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;
