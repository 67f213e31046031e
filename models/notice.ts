import { Schema, type Types } from 'mongoose';
import { AUDITED_SUBJECT_PATHS, type AuditedSubject } from './audit-entry.js';

/** Subscriber groups a notice goes to; a resident in several groups receives it once. */
export interface NoticeTargets {
  /** Every subscribed resident in the notice's scope. */
  all?: boolean;
  communities?: string[];
  buildings?: { community: string; building: string }[];
  /** Residents with any vulnerable flag (in scope). */
  vulnerable?: boolean;
  /** Approved volunteers (in scope). */
  volunteers?: boolean;
  /** Residents carrying any of these tags (in scope). */
  tags?: string[];
}

/** Where a notice lives: the author's scope when it was written. */
export interface NoticeScope {
  streetCode?: string;
  communityCode?: string;
  buildingCode?: string;
}

/**
 * A public notice. Its audit life cycle (status, version, round, performers) is shared with
 * other audited subjects; delivery progress lives in its batches and their logs, not here.
 *
 * The audit chain is the source of truth for every change after creation: this document is
 * its projection (handlers/audit/workflow.ts). Never update a notice directly — go through the
 * notice handlers (markSending/markCompleted for the broadcast workers).
 */
export interface Notice extends AuditedSubject {
  _id: Types.ObjectId;
  title: string;
  body: string;
  targets: NoticeTargets;
  scope: NoticeScope;
  urgent: boolean;
  /** Scheduled broadcast time; null = at release. */
  sendAt?: Date | null;
  releasedAt?: Date | null;
  sendingAt?: Date | null;
  completedAt?: Date | null;
  cancelledAt?: Date | null;
  createdAt?: Date;
  updatedAt?: Date;
}

export const NoticeSchema = new Schema(
  {
    title: { type: String, required: true },
    body: { type: String, required: true },
    targets: { type: Schema.Types.Mixed, required: true },
    scope: {
      streetCode: String,
      communityCode: String,
      buildingCode: String,
    },
    urgent: { type: Boolean, default: false },
    sendAt: { type: Date, default: null },
    ...AUDITED_SUBJECT_PATHS,
    releasedAt: { type: Date, default: null },
    sendingAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false },
);
NoticeSchema.index({ 'scope.communityCode': 1, status: 1 });
NoticeSchema.index({ 'scope.streetCode': 1, status: 1 });
NoticeSchema.index({ status: 1 });
