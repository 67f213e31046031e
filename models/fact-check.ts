import { Schema, type Types } from 'mongoose';
import { AUDITED_SUBJECT_PATHS, type AuditedSubject } from './audit-entry.js';
import { derivedId } from './ids.js';
import { LANGUAGES, type Language } from './resident.js';

/** What a fact-check concludes about a claim (product.md, Rumour check). */
export const VERDICTS = ['false', 'misleading', 'true', 'unproven'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The text of a fact-check: what staff write and the audit reviews. */
export interface FactCheckContent {
  /** Written in one of the residents' languages. */
  lang: Language;
  /** The claim as residents put it ("喝板蓝根能预防新冠"). */
  claim: string;
  verdict: Verdict;
  explanation: string;
  /** Who says so (an organisation and document); empty when none is named. */
  source: string;
  /** Other wordings of the same claim, matched like the claim. */
  aliases: string[];
}

/** What residents are told: the content as it was at a release, and that release's version. */
export interface PublishedFactCheck extends FactCheckContent {
  version: number;
  /** The version this release corrects (absent on the first release). */
  corrects?: number;
}

/**
 * A fact-check. It passes the three-level audit like a notice (handlers/audit/workflow.ts,
 * subject type `fact_check`): draft → verified → edited → released. The working text
 * (`claim`, `verdict`, …) is what the audit reviews; `published` is what residents are told, set
 * by each release entry's diff, so a correction round (released → draft → … → released) keeps
 * answering with the previous release until the corrected one is released. A withdrawal
 * (→ cancelled) clears it. The document is the chain's projection: never update it directly.
 */
export interface FactCheck extends AuditedSubject, FactCheckContent {
  published: PublishedFactCheck | null;
  /** `staff` (written through the API) or `import` (a trusted bulk import). */
  origin: 'staff' | 'import';
  /** Who started the latest correction round (they write it and review none of it). */
  correctedBy?: string | null;
  /** The last published version whose askers and earlier readers were notified (0: none yet). */
  notifiedVersion: number;
  releasedAt?: Date | null;
  withdrawnAt?: Date | null;
  createdAt?: Date;
  updatedAt?: Date;
}

export const FactCheckSchema = new Schema(
  {
    lang: { type: String, enum: LANGUAGES, required: true },
    claim: { type: String, required: true },
    verdict: { type: String, enum: VERDICTS, required: true },
    explanation: { type: String, required: true },
    source: { type: String, default: '' },
    aliases: { type: [String], default: [] },
    published: { type: Schema.Types.Mixed, default: null },
    origin: { type: String, enum: ['staff', 'import'], default: 'staff' },
    notifiedVersion: { type: Number, default: 0 },
    correctedBy: { type: String, default: null },
    ...AUDITED_SUBJECT_PATHS,
    releasedAt: { type: Date, default: null },
    withdrawnAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false, collection: 'factchecks' },
);
FactCheckSchema.index({ status: 1 });

/**
 * Who received which version of a fact-check (answered in chat, or told as an asker or reader of
 * an earlier version): a correction goes to everyone with a receipt of an older version.
 * Inserted once per (fact-check, resident, version); never updated.
 */
export interface FactCheckReceipt {
  _id: Types.ObjectId;
  factCheckId: string;
  residentId: string;
  version: number;
  via: 'chat' | 'asked' | 'correction';
  at: Date;
}

export const FactCheckReceiptSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    factCheckId: { type: String, required: true },
    residentId: { type: String, required: true },
    version: { type: Number, required: true },
    via: { type: String, enum: ['chat', 'asked', 'correction'], required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'factcheckreceipts' },
);
FactCheckReceiptSchema.index({ factCheckId: 1 });

export const receiptIdFor = (factCheckId: string, residentId: string, version: number) => derivedId('fact-check-receipt', factCheckId, residentId, version);
