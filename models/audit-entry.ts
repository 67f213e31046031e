import { Schema, type Types } from 'mongoose';

/** Who performed an audited action: a staff account, or `system` for the broadcast workers. */
export type AuditRole = string;

/** A change to one field: before and after (absent = unset). `lines` is a line diff for long texts. */
export interface FieldChange {
  from?: unknown;
  to?: unknown;
  /** `"  kept"`, `"- removed"`, `"+ added"`: present for multi-line or long text fields. */
  lines?: string[];
}
export type AuditDiff = Record<string, FieldChange>;

/**
 * The hashed content of an audit entry, i.e. everything but `_id` and `hash`. Values are plain
 * JSON (dates as `at` only), so what is stored reads back identical and re-hashes the same.
 */
export interface AuditEntryFields {
  /** What the entry is about: `notice` or `fact_check`. */
  subjectType: string;
  subjectId: string;
  /** 1, 2, 3… per subject; unique with the subject, so two concurrent appends cannot fork the chain. */
  seq: number;
  /** The subject's `version` after the action: one entry per version (the idempotency key). */
  version: number;
  /** Audit round: starts at 1, +1 on each reject (duties are counted per round). */
  round: number;
  actorId: string;
  actorName: string;
  role: AuditRole;
  /** create, update, verify, edit, release, reject, cancel, sending, complete; fact-checks also import, correct, withdraw. */
  action: string;
  /** The audit duty this action performed, if any (verify, edit, release). */
  duty?: string;
  /** Subject status before and after. */
  from?: string;
  to?: string;
  at: Date;
  comment?: string;
  diff?: AuditDiff;
  /** Extra facts (e.g. `sendAt`, `urgent` on release). */
  meta?: Record<string, unknown>;
  /** The previous entry's `hash` in this subject's chain (64 zeros for seq 1). */
  prevHash: string;
}

export interface AuditEntry extends AuditEntryFields {
  _id: Types.ObjectId;
  /** sha256 (hex) over the canonical JSON of the fields above. */
  hash: string;
}

/**
 * Append-only audit trail, one hash chain per subject. The application only ever inserts:
 * mongoose update/delete middleware below refuses to change entries, and `npm run audit:verify`
 * detects anything changed behind its back (hash mismatch, broken link or gap in `seq`).
 */
export const AuditEntrySchema = new Schema(
  {
    subjectType: { type: String, required: true },
    subjectId: { type: String, required: true },
    seq: { type: Number, required: true },
    version: { type: Number, required: true },
    round: { type: Number, required: true },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    role: { type: String, required: true },
    action: { type: String, required: true },
    duty: String,
    from: String,
    to: String,
    at: { type: Date, required: true },
    comment: String,
    diff: Schema.Types.Mixed,
    meta: Schema.Types.Mixed,
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  // minimize: false keeps empty objects inside `diff`/`meta` exactly as hashed; no __v or timestamps
  // (the hashed `at` is the time).
  { minimize: false, versionKey: false, collection: 'auditentries' },
);
AuditEntrySchema.index({ subjectType: 1, subjectId: 1, seq: 1 }, { unique: true });
AuditEntrySchema.index({ subjectType: 1, subjectId: 1, version: 1 }, { unique: true });

const appendOnly = () => {
  throw new Error('audit entries are append-only');
};
for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const) {
  AuditEntrySchema.pre(op, appendOnly);
}

/**
 * The audit life cycle shared by everything that passes the three-level audit (notices and
 * fact-checks): `draft → verified → edited → released`, then `sending → completed` (notices), or
 * `cancelled`. A reject at any pre-release stage returns to `draft`; a fact-check's correction
 * takes a released one back to `draft`.
 */
export const AUDIT_STATUSES = ['draft', 'verified', 'edited', 'released', 'sending', 'completed', 'cancelled'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** An entry before it is chained (`seq`, `prevHash` and `hash` are added on insert). */
export type AuditDraft = Omit<AuditEntryFields, 'seq' | 'prevHash'>;

/** Fields every audited subject document carries. */
export interface AuditedSubject {
  _id: Types.ObjectId;
  status: AuditStatus;
  /** +1 on every change; state changes are conditional on it (optimistic concurrency). */
  version: number;
  /** Audit round: 1 at creation, +1 on each reject. */
  round: number;
  authorId: string;
  authorName: string;
  /** Performers of each duty in the current round (cleared by a reject). */
  verifiedBy?: string | null;
  editedBy?: string | null;
  releasedBy?: string | null;
  /**
   * A copy of the `create` entry, inserted with the subject so that a writer that dies before
   * appending it leaves enough for the next reader to append it (handlers/audit/workflow.ts).
   */
  createEntry?: AuditDraft | null;
}

/** Schema paths for `AuditedSubject`, to spread into a subject's schema definition. */
export const AUDITED_SUBJECT_PATHS = {
  status: { type: String, enum: AUDIT_STATUSES, required: true, default: 'draft' },
  version: { type: Number, required: true, default: 1 },
  round: { type: Number, required: true, default: 1 },
  authorId: { type: String, required: true },
  authorName: { type: String, required: true },
  verifiedBy: { type: String, default: null },
  editedBy: { type: String, default: null },
  releasedBy: { type: String, default: null },
  createEntry: { type: Schema.Types.Mixed, default: null },
} as const;
