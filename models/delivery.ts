/**
 * A broadcast on disk: the notice's recipients in batches (`DeliveryBatch`, written once by the
 * fan-out) and an append-only log per batch (`DeliveryLogEntry`: which recipients a sender is
 * about to send to, and how each send ended). A recipient's delivery — what used to be one
 * `Delivery` document updated two or three times — is the batch member folded over its log
 * (`foldBatchLog`, delivery-log.ts).
 *
 * Why this shape (measured on FerretDB 1.24.2/SQLite, docs/ferretdb.md): only `_id` equality is
 * answered from an index, single-document updates run at ~1,200/s in total and a bulk update of
 * 100 statements wedges the server, while inserts run at ~20,000 documents/s. So every document
 * here is written once and found by a deterministic `_id`: a batch by (notice, batch number), a
 * log entry by (batch, sequence number). A sender that lost its lease and writes late collides
 * with the next sender's entry (duplicate key) instead of overwriting it, which also makes the
 * sequence number a fencing token.
 */
import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_CHANNELS = ['kf', 'template'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/** Why a delivery failed for good (the WeChat errcode, if any, is in `errcode`). */
export const DELIVERY_FAIL_REASONS = ['unsubscribed', 'no_template', 'api_error', 'attempts_exhausted'] as const;
export type DeliveryFailReason = (typeof DELIVERY_FAIL_REASONS)[number];

/** The id of the delivery of `noticeId` to `residentId` (stable across fan-out re-runs). */
export const deliveryIdFor = (noticeId: Types.ObjectId | string, residentId: Types.ObjectId | string): Types.ObjectId =>
  derivedId('delivery', String(noticeId), String(residentId));

/** The `_id` of batch `batchNo` of a notice. */
export const batchIdFor = (noticeId: Types.ObjectId | string, batchNo: number): Types.ObjectId => derivedId('batch', String(noticeId), batchNo);

/** One recipient of a batch, as the fan-out read the resident. */
export interface BatchMember {
  residentId: string;
  openid: string;
  /** The resident's `lastInboundAt` at fan-out (a hint for the 48-hour window; null = closed then). */
  inboundAt: Date | null;
  /** Customer-service messages already spent in that window (`kfSentSinceInbound` at fan-out). */
  kfSent: number;
}

/**
 * Members are stored as one tab-separated line each rather than as subdocuments: FerretDB decodes
 * every subdocument of a document it reads, and a batch of 100 subdocuments took 3.3 ms to read
 * against 1.0 ms for 100 strings.
 */
export const encodeMember = (m: BatchMember): string => [m.residentId, m.openid, m.inboundAt ? m.inboundAt.getTime() : 0, m.kfSent].join('\t');

export function decodeMember(line: string): BatchMember {
  const [residentId = '', openid = '', inboundAt = '0', kfSent = '0'] = line.split('\t');
  return { residentId, openid, inboundAt: inboundAt === '0' ? null : new Date(Number(inboundAt)), kfSent: Number(kfSent) };
}

/** Up to `batchSize` recipients of a notice; never changed once written. */
export interface DeliveryBatch {
  _id: Types.ObjectId;
  noticeId: Types.ObjectId;
  batchNo: number;
  urgent: boolean;
  /** `encodeMember` lines. */
  members: string[];
  createdAt: Date;
}

export const DeliveryBatchSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    noticeId: { type: Schema.Types.ObjectId, required: true },
    batchNo: { type: Number, required: true },
    urgent: { type: Boolean, default: false },
    members: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'deliverybatches', versionKey: false },
);

/**
 * Where a notice's fan-out stands, one document per notice (`_id` = the notice id), so a fan-out
 * that crashed resumes instead of starting over. Kept off the Notice document on purpose:
 * FerretDB 1.x rewrites a whole document on every update, so frequent writes on the notice could
 * overwrite a concurrent audited status change (e.g. a cancel).
 */
export interface FanoutState {
  _id: Types.ObjectId;
  /** Recipients in the batches written so far. */
  created: number;
  /** Batches written so far (numbered 0 … batches − 1). */
  batches: number;
  /** Recipients per batch, fixed at the first run (every batch is full but the last). */
  batchSize: number;
  /** All recipients have a batch and a job; `total` is final. */
  done: boolean;
  total: number | null;
  /** How many times the fan-out job ran its resolving phase (>1 = resumed). */
  runs: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** Completion watcher: the finished count it last saw and when. */
  lastFinished: number | null;
  lastCheckAt: Date | null;
  completedAt: Date | null;
}

export const FanoutStateSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    created: { type: Number, default: 0 },
    batches: { type: Number, default: 0 },
    batchSize: { type: Number, required: true },
    done: { type: Boolean, default: false },
    total: { type: Number, default: null },
    runs: { type: Number, default: 0 },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    lastFinished: { type: Number, default: null },
    lastCheckAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
  },
  { collection: 'fanoutstates', versionKey: false },
);
