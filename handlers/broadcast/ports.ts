/**
 * What the broadcast use cases need from the outside world, as plain interfaces. The rim
 * (`bot/broadcast/`) implements them with BullMQ, Redis and the WeChat client; handlers import
 * none of those.
 */
import type { Models } from '../../models/index.js';
import type { DeliveryChannel } from '../../models/delivery.js';
import type { Notice } from '../../models/notice.js';
import type { AuditDeps } from '../audit/workflow.js';
import type { HandlerLog } from '../ports.js';
import type { TemplateField } from './message.js';
import type { KfWindows } from '../outbound/kf-window.js';

/** One batch of one notice: what a deliver job carries (`deliver-<noticeId>-<batchNo>`). */
export interface BatchRef {
  noticeId: string;
  batchNo: number;
}

export interface BatchJobSpec extends BatchRef {
  urgent: boolean;
}

/** The broadcast queues. Every method is idempotent (deterministic job ids). */
export interface BroadcastJobs {
  /** Queue batch jobs (urgent ones first); a batch whose job exists is left alone. */
  addBatches(jobs: BatchJobSpec[]): Promise<void>;
  /** Queue the batches whose job went missing, and retry the ones whose job failed for good. Returns how many. */
  requeueBatches(jobs: BatchJobSpec[]): Promise<number>;
  /** Remove the batch jobs that are not running (a running one is locked and stays). Returns how many went. */
  removeBatches(noticeId: string, batchNos: number[]): Promise<number>;
  /** Queue a cancel sweep of the notice (at most one per notice). */
  requestSweep(noticeId: string): Promise<void>;
}

/** Recorded in Redis when sends succeeded but their log entry could not be written: the next run records them instead of sending again. */
export interface SentNote {
  m: number;
  at: string;
  channel: DeliveryChannel;
  msgid?: number;
  kfFallback?: boolean;
}

/** `holder`: the owner id of whoever has the lease. */
export type LeaseResult = { ok: true; sentNotes: SentNote[] } | { ok: false; retryInMs: number; holder: string };

/** Finished deliveries of a notice (sent + failed) and its recipient count, once the fan-out knows it. */
export interface Tally {
  finished: number;
  total: number | null;
}

/** The tally with its split: kept per batch as the batches record, so reading it costs one Redis call. */
export interface TallyDetail extends Tally {
  sent: number;
  failed: number;
}

/** A batch's own figures: cumulative, so recording them twice changes nothing. `size`: its recipients. */
export interface BatchFigures {
  sent: number;
  failed: number;
  size: number;
}

/** Leases and counters shared by every worker process (Redis on the rim). */
export interface BroadcastStore {
  /** Take the batch's lease (SET NX PX) and read its sent-notes, in one round trip. */
  acquire(batch: BatchRef, owner: string, leaseMs: number): Promise<LeaseResult>;
  /**
   * Extend the lease if it is still ours and set the batch's figures in the notice's tally (each
   * figure only grows, so a late or repeated call cannot lower it), in one round trip.
   */
  record(batch: BatchRef, owner: string, leaseMs: number, figures: BatchFigures): Promise<{ leaseHeld: boolean; tally: Tally }>;
  /** Give the lease back if still ours; `recorded`: the sent-notes have been written to the log and go. */
  release(batch: BatchRef, owner: string, recorded: boolean): Promise<void>;
  noteSent(batch: BatchRef, notes: SentNote[]): Promise<void>;
  tally(noticeId: string): Promise<TallyDetail>;
  /** Finished deliveries and size per batch number, for the batches that recorded any (the completion watcher's view). */
  batchTallies(noticeId: string): Promise<Map<number, { finished: number; size: number }>>;
  setTotal(noticeId: string, total: number): Promise<void>;
}

/** A resident whose customer-service budget is kept: the record's id and the WeChat openid. */
export interface KfResident {
  residentId: string;
  openid: string;
}

/** A resident's customer-service window as the fan-out read it. */
export interface KfCandidate extends KfResident {
  inboundAt: Date;
  /** Messages spent in that window according to the resident record. */
  spent: number;
}

/**
 * The customer-service budget: 5 messages per resident per inbound message, inside the 48-hour
 * window (wechat-protocol.md §8). A port, so it is kept where the resident's window is: the
 * webhook's resident cache for residents it holds, Redis of its own for the others
 * (bot/broadcast/kf-budget.ts).
 */
export interface KfBudget {
  /** Reserve one message for each candidate, in about one round trip; true where one was left. */
  reserve(candidates: KfCandidate[], now: Date): Promise<boolean[]>;
  /** Give reserved messages back (WeChat answered an error: nothing was sent). */
  refund(residents: KfResident[]): Promise<void>;
  /** WeChat says the budget is spent (45047): none left until the resident writes again. */
  exhaust(resident: KfResident): Promise<void>;
}

/** BROADCAST_RATE_PER_S across every worker: resolves when one more send may go. */
export interface SendPace {
  next(): Promise<void>;
}

/**
 * The sends one process has in flight (WORKER_CONCURRENCY), shared by the batches it runs; a
 * slot is held from a member's claim until its outcome is written. Urgent batches are served first.
 */
export interface SendSlots {
  readonly size: number;
  acquire(urgent: boolean): Promise<() => void>;
}

/** Structural view of the WeChat client's errors (`WechatApiError`): code, kind, retryable. */
export interface SendError {
  code: number;
  kind: string;
  retryable: boolean;
  message: string;
}

export function isSendError(err: unknown): err is SendError {
  const e = err as Partial<SendError> | null;
  return !!e && typeof e === 'object' && typeof e.code === 'number' && typeof e.kind === 'string' && typeof e.retryable === 'boolean';
}

/** The two WeChat sends a notice uses (the Official Account client satisfies it). */
export interface NoticeSender {
  sendText(openid: string, text: string): Promise<void>;
  sendTemplate(openid: string, templateId: string, data: Record<string, string>): Promise<{ msgid: number }>;
}

export interface BroadcastDeps extends AuditDeps {
  models: Models;
  jobs: BroadcastJobs;
  store: BroadcastStore;
  sender: NoticeSender;
  budget: KfBudget;
  /** The webhook's resident cache, fresher than MongoDB about windows (the fan-out reads its hints there). */
  windows?: Pick<KfWindows, 'read'>;
  slots: SendSlots;
  /** BROADCAST_RATE_PER_S; absent = no limit. */
  pace?: SendPace;
  /** BROADCAST_BATCH_SIZE: recipients per batch job (default 100). */
  batchSize?: number;
  /** WECHAT_NOTICE_TEMPLATE_ID: empty = no template, deliveries outside the window fail `no_template`. */
  templateId: string;
  /** WECHAT_NOTICE_TEMPLATE_FIELDS: which notice part fills which template field (default: the classic layout). */
  templateFields?: TemplateField[];
  /** The notice with its audit trail applied; null when it does not exist. The rim may cache it briefly. */
  notice(noticeId: string): Promise<Notice | null>;
  /** A new claim owner id (worker identity + a counter): unique per run. */
  owner(): string;
  /** How long a lease protects a batch between renewals (longer than the API timeout); default LEASE_MS. */
  leaseMs?: number;
  log?: HandlerLog;
}
