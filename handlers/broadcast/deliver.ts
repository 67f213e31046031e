/**
 * Deliver one batch of a notice (job `deliver-<noticeId>-<batchNo>`), exactly once per recipient
 * as far as WeChat lets us know:
 *
 * 1. The notice: missing → nothing to do; cancelled → ask for the sweep and stop.
 * 2. The batch's lease in the shared store (SET NX PX; one round trip, with any sent-notes a
 *    previous run left). Held by someone else → `busy`, look again when it ends.
 * 3. The batch and its log (reads by `_id`): members with a final outcome are done; members a
 *    previous run claimed and never recorded were in flight when it died — they are sent again
 *    and their delivery says `recoveredFromCrash`. Sent-notes are recorded, not sent again.
 * 4. The rest are sent (send-batch.ts): channel per member, claim before send, outcomes in a few
 *    log entries, the notice's tally kept per batch in the store.
 * 5. Members left with a transient error make the job retry (BullMQ's backoff): only they are
 *    sent again. The last run to finish sees the tally reach the total and completes the notice.
 *
 * Why a lease and deterministic log ids rather than conditional updates: FerretDB 1.x applies a
 * `{_id, status}` filter by reading, filtering in Go and writing back, so two concurrent
 * conditional updates can both "win" (FerretDB issue #3040); a unique `_id` insert cannot.
 */
import { FINISHED, type MemberOutcome } from '../../models/delivery-log.js';
import { loadNotice } from '../notices/deps.js';
import { BatchLog, LeaseLostError } from './batch-log.js';
import { readBatch } from './batch-read.js';
import { checkCompletion } from './complete.js';
import type { BatchRef, BroadcastDeps, SentNote } from './ports.js';
import { sendBatch } from './send-batch.js';

/** A lease protects a batch this long between renewals: more than two API timeouts (5 s each). */
export const LEASE_MS = 20_000;

export type BatchOutcome =
  | { outcome: 'done'; sent: number; failed: number; recovered: number }
  | { outcome: 'retry'; retrying: number; error: unknown }
  | { outcome: 'cancelled' }
  /** The worker is stopping: the members left wait for the next run (no attempt used). */
  | { outcome: 'stopped'; left: number }
  | { outcome: 'skipped'; reason: 'missing' }
  | { outcome: 'busy'; retryInMs: number };

export interface DeliverBatchInput extends BatchRef {
  /** This is the job's last attempt: a transient error fails the member instead. */
  lastAttempt: boolean;
  /** Aborted when the worker starts stopping. */
  signal?: AbortSignal;
}

export async function deliverBatch(deps: BroadcastDeps, input: DeliverBatchInput): Promise<BatchOutcome> {
  const ref: BatchRef = { noticeId: input.noticeId, batchNo: input.batchNo };
  const notice = await deps.notice(ref.noticeId);
  if (!notice) return { outcome: 'skipped', reason: 'missing' };
  if (notice.status === 'cancelled') {
    await deps.jobs.requestSweep(ref.noticeId);
    return { outcome: 'cancelled' };
  }
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const owner = deps.owner();
  const lease = await deps.store.acquire(ref, owner, leaseMs);
  if (!lease.ok) return { outcome: 'busy', retryInMs: lease.retryInMs };
  let log: BatchLog | undefined;
  let notesRecorded = lease.sentNotes.length === 0;
  try {
    const read = await readBatch(deps.models, ref);
    if (!read) return { outcome: 'skipped', reason: 'missing' };
    log = new BatchLog(deps, ref, read, owner, leaseMs);
    if (lease.sentNotes.length) {
      await log.commit([], lease.sentNotes.map(noteOutcome));
      notesRecorded = true;
    }
    const todo = log.deliveries.filter((d) => !FINISHED.has(d.status)).map((d) => d.member);
    // Claimed by a run that died and never recorded: sent again, and flagged.
    const recovered = log.deliveries.filter((d) => d.status === 'sending').length;
    try {
      if (todo.length)
        await sendBatch(deps, notice, read.members, log, todo, { ...ref, lastAttempt: input.lastAttempt, urgent: read.batch.urgent, signal: input.signal });
    } catch (err) {
      // Sent, but the log could not take it: leave notes so the next run records instead of resending.
      const notes = log.unrecorded.filter((o) => o.status === 'sent').map(sentNote);
      if (notes.length) {
        notesRecorded = false;
        await deps.store.noteSent(ref, notes);
      }
      // Another run holds the batch now: look again once its lease ends rather than use an attempt.
      if (err instanceof LeaseLostError) return { outcome: 'busy', retryInMs: leaseMs };
      throw err;
    }
    await log.settle();
    return await conclude(deps, ref, log, recovered, input);
  } finally {
    log?.close();
    await deps.store.release(ref, owner, notesRecorded);
  }
}

/** Steps 5–6: what the run leaves behind, and the completion check by the run that finished last. */
async function conclude(deps: BroadcastDeps, ref: BatchRef, log: BatchLog, recovered: number, input: DeliverBatchInput): Promise<BatchOutcome> {
  const left = log.deliveries.filter((d) => !FINISHED.has(d.status));
  if (left.length === 0) {
    const t = log.tally;
    if (t && t.total !== null && t.finished >= t.total)
      await checkCompletion(deps, ref.noticeId).catch((err: unknown) =>
        deps.log?.warn({ err, noticeId: ref.noticeId }, 'completion check failed; the fan-out watcher will retry'),
      );
    const f = log.figures();
    return { outcome: 'done', sent: f.sent, failed: f.failed, recovered };
  }
  if (log.leaseLost) return { outcome: 'busy', retryInMs: deps.leaseMs ?? LEASE_MS };
  // A retry of a notice cancelled meanwhile would only sit in the queue (read fresh, not cached).
  const notice = await loadNotice(deps.models, ref.noticeId).catch(() => null);
  if (!notice || notice.status === 'cancelled') {
    await deps.jobs.requestSweep(ref.noticeId);
    return { outcome: 'cancelled' };
  }
  if (input.signal?.aborted) return { outcome: 'stopped', left: left.length };
  const last = left.find((d) => d.lastError)?.lastError ?? 'transient error';
  return { outcome: 'retry', retrying: left.length, error: new Error(`${left.length} of batch ${ref.batchNo} to retry: ${last}`) };
}

const noteOutcome = (n: SentNote): MemberOutcome => ({
  m: n.m,
  status: 'sent',
  at: new Date(n.at),
  channel: n.channel,
  ...(n.msgid !== undefined ? { msgid: n.msgid } : {}),
  ...(n.kfFallback ? { kfFallback: true } : {}),
});

const sentNote = (o: MemberOutcome): SentNote => ({
  m: o.m,
  at: o.at.toISOString(),
  channel: o.channel ?? 'template',
  ...(o.msgid !== undefined ? { msgid: o.msgid } : {}),
  ...(o.kfFallback ? { kfFallback: true } : {}),
});

/**
 * The job's last attempt ended in an unexpected error (a database outage, a bug): close the
 * batch's open members so the broadcast can complete — `sent` where a sent-note says WeChat took
 * it, else `failed` (`attempts_exhausted`). Under the lease; does nothing if someone else holds it.
 */
export async function giveUp(deps: BroadcastDeps, ref: BatchRef, err: unknown): Promise<void> {
  const owner = deps.owner();
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const lease = await deps.store.acquire(ref, owner, leaseMs);
  if (!lease.ok) return;
  let log: BatchLog | undefined;
  let closed = false;
  try {
    const read = await readBatch(deps.models, ref);
    if (!read) return;
    log = new BatchLog(deps, ref, read, owner, leaseMs);
    const notes = new Map(lease.sentNotes.map((n) => [n.m, n]));
    const message = err instanceof Error ? err.message : String(err);
    const outcomes = log.deliveries
      .filter((d) => !FINISHED.has(d.status))
      .map((d): MemberOutcome => {
        const note = notes.get(d.member);
        return note ? noteOutcome(note) : { m: d.member, status: 'failed', at: deps.clock.now(), failReason: 'attempts_exhausted', lastError: message };
      });
    if (outcomes.length) await log.commit([], outcomes);
    closed = true;
    await log.settle();
    await conclude(deps, ref, log, 0, { ...ref, lastAttempt: true });
  } finally {
    log?.close();
    await deps.store.release(ref, owner, closed);
  }
}
