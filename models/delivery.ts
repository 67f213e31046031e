/**
 * A broadcast on disk: the notice's recipients in batches (`DeliveryBatch`, written once by the
 * fan-out) and an append-only log per batch (`DeliveryLogEntry`: which recipients a sender is
 * about to send to, and how each send ended). A recipient's delivery — what used to be one
 * `Delivery` document updated two or three times — is the batch member folded over its log
 * (`foldBatchLog`).
 *
 * Why this shape (measured on FerretDB 1.24.2/SQLite, docs/ferretdb.md): only `_id` equality is
 * answered from an index, single-document updates run at ~1,200/s in total and a bulk update of
 * 100 statements wedges the server, while inserts run at ~20,000 documents/s. So every document
 * here is written once and found by a deterministic `_id`: a batch by (notice, batch number), a
 * log entry by (batch, sequence number). A sender that lost its lease and writes late collides
 * with the next sender's entry (duplicate key) instead of overwriting it, which also makes the
 * sequence number a fencing token.
 */
import crypto from 'node:crypto';
import { Schema, Types } from 'mongoose';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_CHANNELS = ['kf', 'template'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/** Why a delivery failed for good (the WeChat errcode, if any, is in `errcode`). */
export const DELIVERY_FAIL_REASONS = ['unsubscribed', 'no_template', 'api_error', 'attempts_exhausted'] as const;
export type DeliveryFailReason = (typeof DELIVERY_FAIL_REASONS)[number];

/** 96 bits of SHA-256 over the parts: deterministic ids, like `residentIdFor`. */
const derivedId = (...parts: Array<string | number>): Types.ObjectId =>
  new Types.ObjectId(crypto.createHash('sha256').update(parts.map(String).join('\u0000')).digest().subarray(0, 12));

/** The id of the delivery of `noticeId` to `residentId` (stable across fan-out re-runs). */
export const deliveryIdFor = (noticeId: Types.ObjectId | string, residentId: Types.ObjectId | string): Types.ObjectId =>
  derivedId('delivery', String(noticeId), String(residentId));

/** The `_id` of batch `batchNo` of a notice. */
export const batchIdFor = (noticeId: Types.ObjectId | string, batchNo: number): Types.ObjectId => derivedId('batch', String(noticeId), batchNo);

/** The `_id` of entry `seq` of a batch's log. */
export const logEntryIdFor = (batchId: Types.ObjectId | string, seq: number): Types.ObjectId => derivedId('batch-log', String(batchId), seq);

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

/** Up to `batchSize` recipients of a notice, in resident `_id` order; never changed once written. */
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

/** One recipient's delivery, as its batch's log tells it. */
export interface Delivery extends SendDetail {
  _id: Types.ObjectId;
  noticeId: Types.ObjectId;
  batchNo: number;
  /** Index in the batch. */
  member: number;
  residentId: Types.ObjectId;
  openid: string;
  inboundAt: Date | null;
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

export const FINISHED: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'cancelled']);

/**
 * Replay a batch's log (entries in `seq` order) into one delivery per member. Within an entry the
 * outcomes come before the claims (a sender records one member and claims its next in the same
 * write). `noticeCancelled`: members without a final outcome read `cancelled`.
 */
export function foldBatchLog(batch: Pick<DeliveryBatch, 'noticeId' | 'batchNo' | 'members'>, entries: DeliveryLogEntry[], noticeCancelled = false): Delivery[] {
  const out: Delivery[] = batch.members.map((line, member) => {
    const m = decodeMember(line);
    const residentId = new Types.ObjectId(m.residentId);
    return {
      _id: deliveryIdFor(batch.noticeId, residentId),
      noticeId: batch.noticeId,
      batchNo: batch.batchNo,
      member,
      residentId,
      openid: m.openid,
      inboundAt: m.inboundAt,
      status: 'pending',
      attempts: 0,
    };
  });
  for (const e of entries) applyLogEntry(out, e);
  if (noticeCancelled) for (const d of out) if (!FINISHED.has(d.status)) d.status = 'cancelled';
  return out;
}

/** Fold one more entry into the deliveries of its batch (the writer keeps its view current this way). */
export function applyLogEntry(deliveries: Delivery[], e: Pick<DeliveryLogEntry, 'claims' | 'outcomes' | 'at' | 'run'>): void {
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

function applyOutcome(d: Delivery | undefined, o: MemberOutcome): void {
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
