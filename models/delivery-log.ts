/**
 * A batch's log: append-only entries of what its senders claimed and learned, and the fold that
 * turns a batch and its log into one delivery per recipient (see models/delivery.ts for why).
 */
import { Schema, Types } from 'mongoose';
import {
  DELIVERY_CHANNELS,
  DELIVERY_FAIL_REASONS,
  decodeMember,
  deliveryIdFor,
  type DeliveryBatch,
  type DeliveryChannel,
  type DeliveryFailReason,
  type DeliveryStatus,
} from './delivery.js';
import { derivedId } from './ids.js';

/** The `_id` of entry `seq` of a batch's log. */
export const logEntryIdFor = (batchId: Types.ObjectId | string, seq: number): Types.ObjectId => derivedId('batch-log', String(batchId), seq);

/**
 * How one attempt at one member ended. `retry`: a transient error, the member waits for the
 * job's next attempt; `released`: claimed but not sent (the worker was stopping), so it is not an
 * attempt. The others are final; the first final outcome of a member is the one that counts.
 */
export const OUTCOME_STATUSES = ['sent', 'failed', 'cancelled', 'retry', 'released'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** What a send tells about a delivery (an outcome carries it; the delivery keeps the last one). */
export interface SendDetail {
  channel?: DeliveryChannel;
  /** Template `msgid` returned by WeChat (customer-service sends return none). */
  msgid?: number;
  /** A customer-service send answered 45015/45047 and the template was used instead. */
  kfFallback?: boolean;
  errcode?: number;
  lastError?: string;
  failReason?: DeliveryFailReason;
}

export interface MemberOutcome extends SendDetail {
  /** Index of the member in its batch. */
  m: number;
  status: OutcomeStatus;
  at: Date;
  /** A timeout or network error: WeChat may have delivered it anyway. */
  uncertain?: boolean;
}

/**
 * One write of a batch's sender: the outcomes it learned since its previous entry, and the
 * members it is about to send to (`claims`, written BEFORE the sends). A member claimed by one
 * run and claimed again by a later run with no outcome in between was in flight when its sender
 * died: it may reach the resident twice, and its delivery says so (`recoveredFromCrash`).
 */
export interface DeliveryLogEntry {
  _id: Types.ObjectId;
  batchId: Types.ObjectId;
  noticeId: Types.ObjectId;
  batchNo: number;
  seq: number;
  /** The claim owner of the run that wrote it (`host:pid#n`). */
  run: string;
  at: Date;
  claims: number[];
  outcomes: MemberOutcome[];
}

const OutcomeSchema = new Schema(
  {
    m: { type: Number, required: true },
    status: { type: String, enum: OUTCOME_STATUSES, required: true },
    at: { type: Date, required: true },
    channel: { type: String, enum: DELIVERY_CHANNELS },
    msgid: Number,
    kfFallback: Boolean,
    errcode: Number,
    lastError: String,
    failReason: { type: String, enum: DELIVERY_FAIL_REASONS },
    uncertain: Boolean,
  },
  { _id: false },
);

export const DeliveryLogEntrySchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    batchId: { type: Schema.Types.ObjectId, required: true },
    noticeId: { type: Schema.Types.ObjectId, required: true },
    batchNo: { type: Number, required: true },
    seq: { type: Number, required: true },
    run: { type: String, required: true },
    at: { type: Date, required: true },
    claims: { type: [Number], default: [] },
    outcomes: { type: [OutcomeSchema], default: [] },
  },
  { collection: 'deliverylog', versionKey: false },
);

/** Where one member of a batch stands, as the log tells it (what a sender needs: no ids). */
export interface MemberState extends SendDetail {
  /** Index in the batch. */
  member: number;
  status: DeliveryStatus;
  /** Sends started (claims), not counting the ones given back unsent. */
  attempts: number;
  claimedAt?: Date;
  claimedBy?: string;
  sentAt?: Date;
  /** When the delivery reached sent / failed / cancelled. */
  finishedAt?: Date;
  /** Taken over from a sender that died between claiming and recording: it may have gone out twice. */
  recoveredFromCrash?: boolean;
  /** Attempts that ended in a timeout or network error: WeChat may have delivered those too. */
  uncertainAttempts?: number;
}

/** One recipient's delivery: its member state with who and which notice. */
export interface Delivery extends MemberState {
  _id: Types.ObjectId;
  noticeId: Types.ObjectId;
  batchNo: number;
  residentId: Types.ObjectId;
  openid: string;
  inboundAt: Date | null;
}

export const FINISHED: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'cancelled']);

/**
 * Replay a batch's log (entries in `seq` order) into one state per member. Within an entry the
 * outcomes come before the claims (a sender records one member and claims its next in the same
 * write).
 */
export function foldMemberStates(size: number, entries: DeliveryLogEntry[]): MemberState[] {
  const out: MemberState[] = Array.from({ length: size }, (_, member) => ({ member, status: 'pending', attempts: 0 }));
  for (const e of entries) applyLogEntry(out, e);
  return out;
}

/** The deliveries of a batch. `noticeCancelled`: members without a final outcome read `cancelled`. */
export function foldBatchLog(batch: Pick<DeliveryBatch, 'noticeId' | 'batchNo' | 'members'>, entries: DeliveryLogEntry[], noticeCancelled = false): Delivery[] {
  return foldMemberStates(batch.members.length, entries).map((state, i) => {
    const m = decodeMember(batch.members[i]!);
    const residentId = new Types.ObjectId(m.residentId);
    const status = noticeCancelled && !FINISHED.has(state.status) ? 'cancelled' : state.status;
    return {
      _id: deliveryIdFor(batch.noticeId, residentId),
      noticeId: batch.noticeId,
      batchNo: batch.batchNo,
      residentId,
      openid: m.openid,
      inboundAt: m.inboundAt,
      ...state,
      status,
    };
  });
}

/** Fold one more entry into the member states of its batch (the writer keeps its view current this way). */
export function applyLogEntry(deliveries: MemberState[], e: Pick<DeliveryLogEntry, 'claims' | 'outcomes' | 'at' | 'run'>): void {
  for (const o of e.outcomes) applyOutcome(deliveries[o.m], o);
  for (const m of e.claims) {
    const d = deliveries[m];
    if (!d || FINISHED.has(d.status)) continue;
    if (d.status === 'sending') d.recoveredFromCrash = true;
    d.status = 'sending';
    d.attempts += 1;
    d.claimedAt = e.at;
    d.claimedBy = e.run;
  }
}

function applyOutcome(d: MemberState | undefined, o: MemberOutcome): void {
  if (!d || FINISHED.has(d.status)) return; // the first final outcome counts
  if (o.uncertain) d.uncertainAttempts = (d.uncertainAttempts ?? 0) + 1;
  if (o.errcode !== undefined) d.errcode = o.errcode;
  if (o.lastError !== undefined) d.lastError = o.lastError;
  switch (o.status) {
    case 'released':
      d.status = 'pending';
      d.attempts = Math.max(0, d.attempts - 1);
      return;
    case 'retry':
      d.status = 'pending';
      return;
    case 'sent':
      d.sentAt = o.at;
      if (o.msgid !== undefined) d.msgid = o.msgid;
      if (o.kfFallback) d.kfFallback = true;
      break;
    case 'failed':
      if (o.failReason) d.failReason = o.failReason;
      break;
  }
  if (o.channel) d.channel = o.channel;
  d.status = o.status;
  d.finishedAt = o.at;
}
