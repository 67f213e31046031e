import crypto from 'node:crypto';
import { Schema, Types } from 'mongoose';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_CHANNELS = ['kf', 'template'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/** Why a delivery failed for good (the WeChat errcode, if any, is in `errcode`). */
export const DELIVERY_FAIL_REASONS = ['unsubscribed', 'no_template', 'api_error', 'attempts_exhausted'] as const;
export type DeliveryFailReason = (typeof DELIVERY_FAIL_REASONS)[number];

/**
 * One recipient of one notice. `(noticeId, residentId)` is unique, so a fan-out that runs twice
 * (a worker died mid-way) creates each recipient once; a deliver job claims its record
 * (`claimedAt`, `claimedBy`) before sending so a recipient is sent to once.
 *
 * The `_id` is derived from `(noticeId, residentId)` (`deliveryIdFor`), so a re-run fan-out
 * produces the same ids, hence the same deliver job ids, without looking anything up; and every
 * hot-path read and write is by `_id`, the only lookup FerretDB 1.x answers from an index.
 */
export interface Delivery {
  _id: Types.ObjectId;
  noticeId: Types.ObjectId;
  residentId: Types.ObjectId;
  openid: string;
  status: DeliveryStatus;
  /** `kf` = customer-service message inside the 48-hour window, `template` otherwise. */
  channel?: DeliveryChannel;
  attempts: number;
  /** WeChat errcode of the last failed attempt. */
  errcode?: number;
  lastError?: string;
  sentAt?: Date;
  claimedAt?: Date;
  claimedBy?: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** Copied from the notice at fan-out: urgent deliveries are queued ahead of normal ones. */
  urgent?: boolean;
  /** The resident's `lastInboundAt` when the fan-out read it (a hint: null = window closed then). */
  inboundAt?: Date | null;
  /** Template `msgid` returned by WeChat (customer-service sends return none). */
  msgid?: number;
  failReason?: DeliveryFailReason;
  /** A customer-service send answered 45015/45047 and the template was used instead. */
  kfFallback?: boolean;
  /**
   * A claim was taken over from a sender that died (or lost its lease) between claiming and
   * recording: the message may have gone out twice. The at-least-once window, made countable.
   */
  recoveredFromCrash?: boolean;
  /** Attempts that ended in a timeout or network error: WeChat may have delivered those too. */
  uncertainAttempts?: number;
  /** When the delivery reached sent / failed / cancelled. */
  finishedAt?: Date;
}

export const DeliverySchema = new Schema(
  {
    noticeId: { type: Schema.Types.ObjectId, required: true },
    residentId: { type: Schema.Types.ObjectId, required: true },
    openid: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    channel: { type: String, enum: DELIVERY_CHANNELS },
    attempts: { type: Number, default: 0 },
    errcode: Number,
    lastError: String,
    sentAt: Date,
    claimedAt: Date,
    claimedBy: String,
    urgent: { type: Boolean, default: false },
    inboundAt: { type: Date, default: null },
    msgid: Number,
    failReason: { type: String, enum: DELIVERY_FAIL_REASONS },
    kfFallback: Boolean,
    recoveredFromCrash: Boolean,
    uncertainAttempts: Number,
    finishedAt: Date,
  },
  { timestamps: true },
);
DeliverySchema.index({ noticeId: 1, residentId: 1 }, { unique: true });
DeliverySchema.index({ noticeId: 1, status: 1 });

/**
 * The `_id` of the delivery of `noticeId` to `residentId`: 96 bits of SHA-256, like
 * `residentIdFor`. Deterministic, so a fan-out that resumes after a crash regenerates the same
 * records and the same `deliver-<id>` job ids (both then no-ops).
 */
export function deliveryIdFor(noticeId: Types.ObjectId | string, residentId: Types.ObjectId | string): Types.ObjectId {
  return new Types.ObjectId(
    crypto
      .createHash('sha256')
      .update(`delivery\u0000${String(noticeId)}\u0000${String(residentId)}`)
      .digest()
      .subarray(0, 12),
  );
}

/**
 * Where a notice's fan-out stands, one document per notice (`_id` = the notice id), so a fan-out
 * that crashed resumes after `cursor` instead of starting over. Kept off the Notice document on
 * purpose: FerretDB 1.x rewrites a whole document on every update, so frequent cursor writes on
 * the notice could overwrite a concurrent audited status change (e.g. a cancel).
 */
export interface FanoutState {
  _id: Types.ObjectId;
  /** The last resident `_id` whose delivery record and job exist (null = none yet). */
  cursor: Types.ObjectId | null;
  /** Delivery records created up to `cursor`. */
  created: number;
  /** All recipients have a record and a job; `total` is final. */
  done: boolean;
  total: number | null;
  /** How many times the fan-out job ran its resolving phase (>1 = resumed). */
  runs: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** Completion watcher: the pending count it last saw and when. */
  lastPending: number | null;
  lastCheckAt: Date | null;
  completedAt: Date | null;
}

export const FanoutStateSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    cursor: { type: Schema.Types.ObjectId, default: null },
    created: { type: Number, default: 0 },
    done: { type: Boolean, default: false },
    total: { type: Number, default: null },
    runs: { type: Number, default: 0 },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    lastPending: { type: Number, default: null },
    lastCheckAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
  },
  { collection: 'fanoutstates', versionKey: false },
);
