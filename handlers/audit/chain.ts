import type { Models } from '../../models/index.js';
import type { AuditDraft, AuditEntry, AuditEntryFields } from '../../models/audit-entry.js';
import { DUTIES, type Duty } from '../../models/staff-user.js';
import { GENESIS_HASH, hashEntry } from './canonical.js';

export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number })?.code === 11000;

/**
 * Chain `draft` onto `prev` (null for the first entry of a subject) and insert it. Returns null
 * when the chain already has an entry at that place: `(subject, seq)` and `(subject, version)`
 * are unique, so of two concurrent inserts after the same `prev` exactly one succeeds and the
 * chain cannot fork. That unique insert is also what decides which of two concurrent actions
 * wins (see workflow.ts): it is atomic on MongoDB and on FerretDB alike.
 */
export async function insertChained(models: Models, draft: AuditDraft, prev: Pick<AuditEntry, 'seq' | 'hash'> | null): Promise<AuditEntry | null> {
  const fields: AuditEntryFields = { ...draft, seq: prev ? prev.seq + 1 : 1, prevHash: prev ? prev.hash : GENESIS_HASH };
  try {
    const created = await models.AuditEntry.create({ ...fields, hash: hashEntry(fields) });
    return (created as unknown as { toObject(): AuditEntry }).toObject();
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    throw err;
  }
}

/** A subject's whole trail, oldest first. */
export async function auditTrail(models: Models, subjectType: string, subjectId: string): Promise<AuditEntry[]> {
  return models.AuditEntry.find({ subjectType, subjectId }).sort({ seq: 1 }).lean<AuditEntry[]>();
}

/** Who performed each duty in a round (the latest of each), from a subject's trail. */
export function roundDuties(trail: AuditEntry[], round: number): Record<Duty, { id: string; name: string; at: Date } | null> {
  const duties = {} as Record<Duty, { id: string; name: string; at: Date } | null>;
  for (const d of DUTIES) {
    const e = trail.filter((x) => x.round === round && x.duty === d).at(-1);
    duties[d] = e ? { id: e.actorId, name: e.actorName, at: e.at } : null;
  }
  return duties;
}
