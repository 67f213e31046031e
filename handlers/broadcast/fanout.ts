/**
 * Fan a released notice out (job `fanout-<noticeId>`): one Delivery record and one deliver job
 * per recipient, then watch until the broadcast is complete.
 *
 * Recipients come from the notices' ONE filter (`recipientFilter`: groups OR-ed, scope and
 * `subscribed` AND-ed), read in `_id` order after the saved cursor — so a resident in several
 * groups is one recipient, and a fan-out that crashed resumes where it stopped. Per batch:
 * insert the records (`_id` derived from notice and resident; duplicates from a re-run are
 * ignored), queue their jobs (deterministic ids, so re-queueing is a no-op), then save the cursor.
 * The query is read through one database cursor: on FerretDB 1.x every non-`_id` query scans the
 * collection, so one pass is what a 100,000-resident fan-out can afford (a page query per batch
 * would scan 200 times).
 */
import { Types } from 'mongoose';
import type { Notice } from '../../models/notice.js';
import type { FanoutState } from '../../models/delivery.js';
import { deliveryIdFor } from '../../models/delivery.js';
import { markSending } from '../notices/broadcast-state.js';
import { recipientFilter } from '../notices/targets.js';
import type { NoticeProgress } from '../notices/progress.js';
import { checkCompletion } from './complete.js';
import { sweepCancelled } from './cancel.js';
import { requeuePending } from './requeue.js';
import { fanoutStates } from './state.js';
import type { BroadcastDeps } from './ports.js';

export const FANOUT_BATCH = 500;

export type FanoutOutcome =
  | { outcome: 'missing' }
  | { outcome: 'not_released'; status: string }
  | { outcome: 'cancelled'; swept: number }
  | { outcome: 'completed'; total: number }
  | { outcome: 'watching'; total: number; progress: NoticeProgress | null };

interface Recipient {
  _id: Types.ObjectId;
  openid: string;
  lastInboundAt?: Date | null;
}

export async function runFanout(deps: BroadcastDeps, noticeId: string, opts: { batchSize?: number } = {}): Promise<FanoutOutcome> {
  const notice = await deps.notice(noticeId);
  if (!notice) return { outcome: 'missing' };
  if (notice.status === 'cancelled') return { outcome: 'cancelled', swept: await sweepCancelled(deps, noticeId) };
  if (notice.status === 'completed') return { outcome: 'completed', total: (await fanoutStates(deps.models).findById(noticeId).lean())?.total ?? 0 };
  if (notice.status !== 'released' && notice.status !== 'sending') return { outcome: 'not_released', status: notice.status };
  if (notice.status === 'released') await markSending(deps, noticeId);
  const states = fanoutStates(deps.models);
  const _id = new Types.ObjectId(noticeId);
  let state = (await states
    .findOneAndUpdate(
      { _id },
      {
        $setOnInsert: {
          _id,
          cursor: null,
          created: 0,
          done: false,
          total: null,
          runs: 0,
          startedAt: deps.clock.now(),
          finishedAt: null,
          lastPending: null,
          lastCheckAt: null,
          completedAt: null,
        },
      },
      { upsert: true, returnDocument: 'after' },
    )
    .lean<FanoutState>())!;
  if (!state.done) {
    const resolved = await resolve(deps, notice, state, opts.batchSize ?? FANOUT_BATCH);
    if (!resolved) return { outcome: 'cancelled', swept: await sweepCancelled(deps, noticeId) };
    state = resolved;
  }
  const total = state.total ?? 0;
  const check = await checkCompletion(deps, noticeId);
  if (check.complete) return { outcome: 'completed', total };
  // Watcher: no progress since the last look → re-queue the pending records whose job went missing.
  const pending = check.progress?.pending ?? null;
  if (pending !== null && pending === state.lastPending) await requeuePending(deps, noticeId, notice.urgent);
  await states.updateOne({ _id }, { $set: { lastPending: pending, lastCheckAt: deps.clock.now() } });
  return { outcome: 'watching', total, progress: check.progress };
}

/** Create every record and job after the cursor; null when the notice was cancelled meanwhile. */
async function resolve(deps: BroadcastDeps, notice: Notice, state: FanoutState, batchSize: number): Promise<FanoutState | null> {
  const states = fanoutStates(deps.models);
  const noticeId = String(notice._id);
  await states.updateOne({ _id: notice._id }, { $inc: { runs: 1 } });
  const filter = await recipientFilter(deps.models, notice.targets, notice.scope);
  const query = state.cursor ? { $and: [filter, { _id: { $gt: state.cursor } }] } : filter;
  const cursor = deps.models.Resident.find(query, { _id: 1, openid: 1, lastInboundAt: 1 }).sort({ _id: 1 }).lean<Recipient[]>().cursor({ batchSize });
  let created = state.created;
  let batch: Recipient[] = [];
  const flush = async (): Promise<boolean> => {
    if (!batch.length) return true;
    const current = await deps.notice(noticeId);
    if (!current || current.status === 'cancelled') return false;
    const now = deps.clock.now();
    const docs = batch.map((r) => ({
      _id: deliveryIdFor(notice._id, r._id),
      noticeId: notice._id,
      residentId: r._id,
      openid: r.openid,
      status: 'pending',
      attempts: 0,
      urgent: notice.urgent,
      inboundAt: r.lastInboundAt ?? null,
      createdAt: now,
      updatedAt: now,
    }));
    await insertIgnoringDuplicates(deps, docs);
    await deps.jobs.addDeliveries(docs.map((d) => ({ deliveryId: String(d._id), urgent: notice.urgent })));
    created += docs.length;
    await states.updateOne({ _id: notice._id }, { $set: { cursor: batch[batch.length - 1]!._id, created } });
    batch = [];
    return true;
  };
  try {
    for await (const r of cursor) {
      batch.push(r as Recipient);
      if (batch.length >= batchSize && !(await flush())) return null;
    }
    if (!(await flush())) return null;
  } finally {
    await cursor.close().catch(() => {});
  }
  const done = await states
    .findOneAndUpdate({ _id: notice._id }, { $set: { done: true, total: created, finishedAt: deps.clock.now() } }, { returnDocument: 'after' })
    .lean<FanoutState>();
  // The tally's total goes in before the completion check, so a delivery finishing later sees it.
  await deps.store.setTotal(noticeId, created);
  return done;
}

/** Insert records; a duplicate (a re-run after a crash) is not an error. */
async function insertIgnoringDuplicates(deps: BroadcastDeps, docs: Record<string, unknown>[]): Promise<void> {
  try {
    await deps.models.Delivery.insertMany(docs, { ordered: false, lean: true });
  } catch (err) {
    type WriteError = { code?: number; err?: { code?: number } };
    const e = err as WriteError & { writeErrors?: WriteError[] };
    const errors: WriteError[] = e.writeErrors ?? [e];
    if (!errors.length || !errors.every((w) => (w.code ?? w.err?.code) === 11000)) throw err;
  }
}
