import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';
import { LANGUAGES, type Language } from './resident.js';

export const CLAIM_STATUSES = ['pending', 'answered', 'dismissed'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/**
 * A question residents asked that the released fact base could not answer: pending until staff
 * link it to a fact-check (written for it, or an existing one) and that fact-check is released —
 * then it is `answered` and everyone who asked is told. Who asked lives in `ClaimAsk` records
 * (one per resident, inserted under a unique id), so the ask count is never a lost update.
 */
export interface Claim {
  _id: Types.ObjectId;
  /** The first asker's wording (each asker's own is on their ClaimAsk). */
  text: string;
  lang: Language;
  status: ClaimStatus;
  /** The fact-check that answers it (once staff wrote or chose one). */
  factCheckId: string | null;
  firstAskedAt: Date;
  lastAskedAt: Date;
  answeredAt?: Date | null;
  dismissedAt?: Date | null;
  dismissedBy?: string | null;
  comment?: string | null;
}

export const ClaimSchema = new Schema(
  {
    text: { type: String, required: true },
    lang: { type: String, enum: LANGUAGES, required: true },
    status: { type: String, enum: CLAIM_STATUSES, required: true, default: 'pending' },
    factCheckId: { type: String, default: null },
    firstAskedAt: { type: Date, required: true },
    lastAskedAt: { type: Date, required: true },
    answeredAt: { type: Date, default: null },
    dismissedAt: { type: Date, default: null },
    dismissedBy: { type: String, default: null },
    comment: { type: String, default: null },
  },
  { versionKey: false, collection: 'claims' },
);
ClaimSchema.index({ status: 1 });
ClaimSchema.index({ factCheckId: 1 });

/** One resident asking one claim: inserted once (`_id` from claim and resident), never updated. */
export interface ClaimAsk {
  _id: Types.ObjectId;
  claimId: string;
  residentId: string;
  /** Their own wording. */
  text: string;
  at: Date;
}

export const ClaimAskSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    claimId: { type: String, required: true },
    residentId: { type: String, required: true },
    text: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'claimasks' },
);
ClaimAskSchema.index({ claimId: 1 });

export const claimAskIdFor = (claimId: string, residentId: string) => derivedId('claim-ask', claimId, residentId);
