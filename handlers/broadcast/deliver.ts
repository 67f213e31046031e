/**
 * Deliver one notice to one resident (job `deliver-<deliveryId>`), exactly once as far as
 * WeChat lets us know. The steps, each a read or write by `_id`:
 *
 * 1. Claim: take the delivery's lease in the shared store (atomic SET NX PX), then read the
 *    record. Finished → nothing to do. `sending` → its previous sender died (or lost its lease)
 *    between claiming and recording: take it over and flag `recoveredFromCrash`.
 * 2. Cancelled notice → the record becomes `cancelled`, and a sweep removes the notice's queued jobs.
 * 3. Channel: customer-service inside the window with budget, else template (channel.ts).
 * 4. Record the claim (`sending`, claimedAt, claimedBy, attempts+1, channel) BEFORE calling WeChat.
 * 5. Send. 45015/45047 on a customer-service send → the template, once. 43004 → the resident is
 *    marked unsubscribed and the delivery fails for good. Retryable errors put the record back to
 *    `pending` for the queue's next attempt, or fail it after the last one.
 * 6. Record the outcome; release the lease and count the delivery as finished — the last one to
 *    finish checks whether the notice is complete.
 *
 * Why a lease in the store and not a conditional update: FerretDB 1.x applies `{_id, status}`
 * filters by reading, filtering in Go and writing back, so two concurrent conditional updates
 * can both "win" (FerretDB issue #3040), and only a filter on `_id` alone is answered from an
 * index (anything else scans the collection). Under the lease, read-then-write by `_id` is
 * race-free on MongoDB and FerretDB alike.
 */
import { Types } from 'mongoose';
import type { Delivery, DeliveryChannel, DeliveryFailReason } from '../../models/delivery.js';
import type { Notice } from '../../models/notice.js';
import { chooseChannel, refundKf, spendKfBudget } from './channel.js';
import { kfText, templateData } from './message.js';
import { checkCompletion } from './complete.js';
import { isSendError, SWEEP_OWNER_PREFIX, type BroadcastDeps, type ClaimResult, type Finished, type SentNote } from './ports.js';

/** A claim protects a send this long: more than two API timeouts (5 s each) plus database writes. */
export const CLAIM_LEASE_MS = 20_000;

export type DeliverOutcome =
  | { outcome: 'sent'; channel: DeliveryChannel; kfFallback: boolean; recovered: boolean }
  | { outcome: 'failed'; reason: DeliveryFailReason; errcode?: number }
  | { outcome: 'retry'; error: unknown }
  | { outcome: 'cancelled' }
  | { outcome: 'skipped'; status: string }
  | { outcome: 'busy'; retryInMs: number };

export interface DeliverInput {
  deliveryId: string;
  /** This is the job's last attempt: a retryable error fails the delivery instead. */
  lastAttempt: boolean;
}

const TERMINAL = new Set(['sent', 'failed', 'cancelled']);

export async function deliverNotice(deps: BroadcastDeps, input: DeliverInput): Promise<DeliverOutcome> {
  const lease = deps.leaseMs ?? CLAIM_LEASE_MS;
  const owner = deps.owner();
  const claim = await acquireAfterSweep(deps, input.deliveryId, owner, lease);
  if (!claim.ok) return { outcome: 'busy', retryInMs: claim.retryInMs };
  let finished: Finished | undefined;
  try {
    const d = Types.ObjectId.isValid(input.deliveryId) ? await deps.models.Delivery.findById(input.deliveryId).lean<Delivery>() : null;
    if (!d) return { outcome: 'skipped', status: 'missing' };
    if (TERMINAL.has(d.status)) return { outcome: 'skipped', status: d.status };
    const now = deps.clock.now();
    // The store's lease is the guard; this one covers a store that lost its keys (a Redis restart).
    const age = d.claimedAt ? now.getTime() - new Date(d.claimedAt).getTime() : Infinity;
    if (d.status === 'sending' && age < lease) return { outcome: 'busy', retryInMs: lease - age };
    const noticeId = String(d.noticeId);
    if (claim.sentNote) {
      await recordSent(deps, d, claim.sentNote);
      finished = { noticeId, outcome: 'sent' };
      return { outcome: 'sent', channel: claim.sentNote.channel, kfFallback: !!claim.sentNote.kfFallback, recovered: false };
    }
    const notice = await deps.notice(noticeId);
    if (!notice || notice.status === 'cancelled') {
      await setDelivery(deps, d._id, { status: 'cancelled', finishedAt: now });
      await deps.jobs.requestSweep(noticeId);
      return { outcome: 'cancelled' };
    }
    const recovered = d.status === 'sending' || !!d.recoveredFromCrash;
    const channel = await chooseChannel(deps.models, d, now, deps.templateId !== '');
    if (!channel) {
      finished = { noticeId, outcome: 'failed' };
      return await fail(deps, d, 'no_template');
    }
    await deps.models.Delivery.updateOne(
      { _id: d._id },
      { $set: { status: 'sending', claimedAt: now, claimedBy: owner, channel, ...(recovered ? { recoveredFromCrash: true } : {}) }, $inc: { attempts: 1 } },
    );
    const result = await send(deps, d, notice, channel, input.lastAttempt);
    if (result.outcome === 'sent' || result.outcome === 'failed') finished = { noticeId, outcome: result.outcome };
    return result.outcome === 'sent' ? { ...result, recovered } : result;
  } finally {
    const tally = await deps.store.release(input.deliveryId, owner, finished);
    if (finished && tally && tally.total !== null && tally.finished >= tally.total) {
      const noticeId = finished.noticeId;
      await checkCompletion(deps, noticeId).catch((err: unknown) =>
        deps.log?.warn({ err, noticeId }, 'completion check failed; the fan-out watcher will retry'),
      );
    }
  }
}

/** How long a deliverer waits for a cancel sweep to let go of its delivery (the sweep holds it for one read and one write). */
const SWEEP_WAIT_MS = 2_000;
const SWEEP_POLL_MS = 20;

/**
 * Take the delivery's lease. When the cancel sweep holds it, the record is being closed right
 * now: wait the few milliseconds that takes and go on (the record then reads `cancelled`), rather
 * than answer `busy` — a busy job is parked as a delayed job for the whole lease, and would sit
 * in the queue of a notice that is already cancelled.
 */
async function acquireAfterSweep(deps: BroadcastDeps, deliveryId: string, owner: string, lease: number): Promise<ClaimResult> {
  const deadline = Date.now() + SWEEP_WAIT_MS;
  for (;;) {
    const claim = await deps.store.acquire(deliveryId, owner, lease);
    if (claim.ok || !claim.holder.startsWith(SWEEP_OWNER_PREFIX) || Date.now() >= deadline) return claim;
    await new Promise((r) => setTimeout(r, SWEEP_POLL_MS));
  }
}

/** Steps 5–6 for a claimed delivery. */
async function send(deps: BroadcastDeps, d: Delivery, notice: Notice, channel: DeliveryChannel, lastAttempt: boolean): Promise<DeliverOutcome> {
  const now = deps.clock.now();
  let used = channel;
  let kfFallback = false;
  let msgid: number | undefined;
  try {
    if (channel === 'kf') {
      try {
        await deps.sender.sendText(d.openid, kfText(notice));
      } catch (err) {
        // Window closed (45015) or budget spent (45047) by WeChat's count: the template, once (§8, §12).
        if (!isSendError(err) || (err.code !== 45015 && err.code !== 45047)) throw err;
        if (err.code === 45047) await spendKfBudget(deps.models, d.residentId);
        if (!deps.templateId) return await fail(deps, d, 'no_template', err.code, err.message);
        used = 'template';
        kfFallback = true;
        msgid = (await deps.sender.sendTemplate(d.openid, deps.templateId, templateData(notice, now, deps.templateFields))).msgid;
      }
    } else {
      msgid = (await deps.sender.sendTemplate(d.openid, deps.templateId, templateData(notice, now, deps.templateFields))).msgid;
    }
  } catch (err) {
    return failedSend(deps, d, used, err, lastAttempt);
  }
  const note: SentNote = {
    at: deps.clock.now().toISOString(),
    channel: used,
    ...(msgid !== undefined ? { msgid } : {}),
    ...(kfFallback ? { kfFallback } : {}),
  };
  try {
    await retrying(() => recordSent(deps, d, note));
  } catch (err) {
    // Sent, but the database is unreachable: leave a note so the retry records instead of resending.
    await deps.store.noteSent(String(d._id), note);
    throw err;
  }
  return { outcome: 'sent', channel: used, kfFallback, recovered: false };
}

async function failedSend(deps: BroadcastDeps, d: Delivery, channel: DeliveryChannel, err: unknown, lastAttempt: boolean): Promise<DeliverOutcome> {
  const code = isSendError(err) ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  // An errcode answer means WeChat sent nothing: hand the reserved customer-service message back.
  const answered = isSendError(err) && err.kind !== 'timeout' && err.kind !== 'network';
  if (channel === 'kf' && answered) await refundKf(deps.models, d.residentId);
  if (code === 43004) {
    const now = deps.clock.now();
    await deps.models.Resident.updateOne({ _id: d.residentId }, { $set: { subscribed: false, unsubscribedAt: now } });
    return fail(deps, d, 'unsubscribed', code, message);
  }
  const retryable = isSendError(err) ? err.retryable : true;
  if (!retryable) return fail(deps, d, 'api_error', code, message);
  // A retry of a notice cancelled meanwhile would only sit in the queue to be cancelled later.
  const notice = await deps.notice(String(d.noticeId));
  if (!notice || notice.status === 'cancelled') {
    await setDelivery(
      deps,
      d._id,
      { status: 'cancelled', finishedAt: deps.clock.now(), errcode: code ?? null, lastError: message },
      answered ? undefined : { uncertainAttempts: 1 },
    );
    return { outcome: 'cancelled' };
  }
  if (lastAttempt) return fail(deps, d, 'attempts_exhausted', code, message);
  await setDelivery(deps, d._id, { status: 'pending', errcode: code ?? null, lastError: message }, answered ? undefined : { uncertainAttempts: 1 });
  return { outcome: 'retry', error: err };
}

async function fail(deps: BroadcastDeps, d: Delivery, reason: DeliveryFailReason, errcode?: number, message?: string): Promise<DeliverOutcome> {
  await setDelivery(deps, d._id, {
    status: 'failed',
    failReason: reason,
    finishedAt: deps.clock.now(),
    ...(errcode !== undefined ? { errcode } : {}),
    ...(message ? { lastError: message } : {}),
  });
  return { outcome: 'failed', reason, ...(errcode !== undefined ? { errcode } : {}) };
}

async function recordSent(deps: BroadcastDeps, d: Delivery, note: SentNote): Promise<void> {
  const at = new Date(note.at);
  await setDelivery(deps, d._id, {
    status: 'sent',
    sentAt: at,
    finishedAt: at,
    channel: note.channel,
    ...(note.msgid !== undefined ? { msgid: note.msgid } : {}),
    ...(note.kfFallback ? { kfFallback: true } : {}),
  });
}

function setDelivery(deps: BroadcastDeps, id: Types.ObjectId, set: Record<string, unknown>, inc?: Record<string, number>) {
  return deps.models.Delivery.updateOne({ _id: id }, { $set: set, ...(inc ? { $inc: inc } : {}) });
}

/** A record write after a send: retried briefly (FerretDB answers SQLITE_BUSY under load). */
async function retrying(write: () => Promise<void>, delays = [50, 250, 1000]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (i >= delays.length) throw err;
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}

/**
 * The job's last attempt ended in an unexpected error (a database outage, a bug): close the record
 * so the broadcast can complete — `sent` if a sent-note says WeChat took it, else `failed`
 * (`attempts_exhausted`). Under the lease; does nothing if someone else holds it or it is closed.
 */
export async function giveUp(deps: BroadcastDeps, deliveryId: string, err: unknown): Promise<void> {
  const owner = deps.owner();
  const claim = await deps.store.acquire(deliveryId, owner, deps.leaseMs ?? CLAIM_LEASE_MS);
  if (!claim.ok) return;
  let finished: Finished | undefined;
  try {
    const d = await deps.models.Delivery.findById(deliveryId).lean<Delivery>();
    if (!d || TERMINAL.has(d.status)) return;
    if (claim.sentNote) await recordSent(deps, d, claim.sentNote);
    else await fail(deps, d, 'attempts_exhausted', isSendError(err) ? err.code : undefined, err instanceof Error ? err.message : String(err));
    finished = { noticeId: String(d.noticeId), outcome: claim.sentNote ? 'sent' : 'failed' };
  } finally {
    await deps.store.release(deliveryId, owner, finished);
  }
}
