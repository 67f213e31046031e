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

export interface DeliverJobSpec {
  deliveryId: string;
  urgent: boolean;
}

/** The broadcast queues. Every method is idempotent (deterministic job ids). */
export interface BroadcastJobs {
  /** Queue deliver jobs (`deliver-<deliveryId>`, urgent ones first). */
  addDeliveries(jobs: DeliverJobSpec[]): Promise<void>;
  /** Remove the deliver jobs that are not running (a running one is locked and stays). Best effort; returns how many went. */
  removeDeliveries(deliveryIds: string[]): Promise<number>;
  /** Queue a cancel sweep of the notice (at most one per notice). */
  requestSweep(noticeId: string): Promise<void>;
}

/** Recorded in Redis when a send succeeded but the database write did not: the retry records it instead of sending again. */
export interface SentNote {
  at: string;
  channel: DeliveryChannel;
  msgid?: number;
  kfFallback?: boolean;
}

/** `holder`: the owner id of whoever has the lease (a sweeper's starts with `SWEEP_OWNER_PREFIX`). */
export type ClaimResult = { ok: true; sentNote: SentNote | null } | { ok: false; retryInMs: number; holder: string };

/** Claim owners of the cancel sweep carry this prefix, so a deliverer can tell it is being cancelled. */
export const SWEEP_OWNER_PREFIX = 'sweep:';

/** Finished deliveries of a notice (sent or failed) and its final recipient count, once known. */
export interface Tally {
  finished: number;
  total: number | null;
}

/** A delivery that reached its end: which notice, and how it ended (for the tally). */
export interface Finished {
  noticeId: string;
  outcome: 'sent' | 'failed';
}

/** The tally with its split: counted as deliveries finish, so reading it costs one Redis call. */
export interface TallyDetail extends Tally {
  sent: number;
  failed: number;
}

/** Claims and counters shared by every worker process (Redis on the rim). */
export interface BroadcastStore {
  /** Take the delivery's lease (SET NX PX): the one mutual exclusion every backend agrees on. */
  acquire(deliveryId: string, owner: string, leaseMs: number): Promise<ClaimResult>;
  /** Give the lease back if still ours; `finished` also counts the delivery in its notice's tally and returns the tally. */
  release(deliveryId: string, owner: string, finished?: Finished): Promise<Tally | null>;
  tally(noticeId: string): Promise<TallyDetail>;
  noteSent(deliveryId: string, note: SentNote): Promise<void>;
  setTotal(noticeId: string, total: number): Promise<void>;
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
  /** WECHAT_NOTICE_TEMPLATE_ID: empty = no template, deliveries outside the window fail `no_template`. */
  templateId: string;
  /** WECHAT_NOTICE_TEMPLATE_FIELDS: which notice part fills which template field (default: the classic layout). */
  templateFields?: TemplateField[];
  /** The notice with its audit trail applied; null when it does not exist. The rim may cache it briefly. */
  notice(noticeId: string): Promise<Notice | null>;
  /** A new claim owner id (worker identity + a counter): unique per claim. */
  owner(): string;
  /** How long a claim protects a send (longer than the API timeout); default CLAIM_LEASE_MS. */
  leaseMs?: number;
  log?: HandlerLog;
}
