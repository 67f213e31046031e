import crypto from 'node:crypto';
import { Types } from 'mongoose';

/**
 * A deterministic ObjectId from its parts (96 bits of SHA-256). Used where a record has a natural
 * key — a resident's report of a day, a household's room — so writes are idempotent upserts or
 * inserts by `_id`, the one lookup FerretDB 1.x answers from an index.
 */
export function derivedId(kind: string, ...parts: Array<string | number | Types.ObjectId>): Types.ObjectId {
  return new Types.ObjectId(
    crypto
      .createHash('sha256')
      .update([kind, ...parts.map(String)].join('\u0000'))
      .digest()
      .subarray(0, 12),
  );
}
