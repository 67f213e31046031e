/**
 * Fan a released notice out (job `fanout-<noticeId>`): its recipients in numbered batches of
 * BROADCAST_BATCH_SIZE (100), one deliver job per batch, then watch until the broadcast is
 * complete.
 *
 * Recipients come from the notices' ONE filter (`recipientFilter`: groups OR-ed, scope and
 * `subscribed` AND-ed), read in `_id` order after the saved cursor — so a resident in several
 * groups is one recipient, and a fan-out that crashed resumes where it stopped. Per round of up
 * to five batches: insert them (ids from notice and batch number), queue their jobs
 * (deterministic ids, so re-queueing is a no-op), then save the cursor. A run that resumes first
 * looks for batches written after the saved cursor (by id: the next numbers) and takes its cursor
 * from the last one, so every recipient is in exactly one batch. The query is read through one
 * database cursor: on FerretDB 1.x every non-`_id` query scans the collection, so one pass is
 * what a 100,000-resident fan-out can afford.
 */
import { Types } from 'mongoose';
import type { Notice } from '../../models/notice.js';
import { batchIdFor, decodeMember, encodeMember, type DeliveryBatch, type FanoutState } from '../../models/delivery.js';
import { markSending } from '../notices/broadcast-state.js';
import { recipientFilter } from '../notices/targets.js';
import type { NoticeProgress } from '../notices/progress.js';
import { checkCompletion } from './complete.js';
import { sweepCancelled } from './cancel.js';
import { requeueUnfinished } from './requeue.js';
import { fanoutStates } from './state.js';
import type { BroadcastDeps } from './ports.js';

/** RapidPro's mailroom sends broadcasts in batches of 100 too. */
export const DEFAULT_BATCH_SIZE = 100;
/** Batches written (and jobs queued) per round, between two saves of the cursor. */
const BATCHES_PER_ROUND = 5;

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
  kfSentSinceInbound?: number | null;
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
  const fresh: Omit<FanoutState, '_id'> = {
    cursor: null,
    created: 0,
    batches: 0,
    batchSize: opts.batchSize ?? deps.batchSize ?? DEFAULT_BATCH_SIZE,
    done: false,
    total: null,
    runs: 0,
    startedAt: deps.clock.now(),
    finishedAt: null,
    lastFinished: null,
    lastCheckAt: null,
    completedAt: null,
  };
  let state = (await states.findOneAndUpdate({ _id }, { $setOnInsert: { _id, ...fresh } }, { upsert: true, returnDocument: 'after' }).lean<FanoutState>())!;
  if (!state.done) {
    const resolved = await resolve(deps, notice, state);
    if (!resolved) return { outcome: 'cancelled', swept: await sweepCancelled(deps, noticeId) };
    state = resolved;
  }
  const total = state.total ?? 0;
  const check = await checkCompletion(deps, noticeId);
  if (check.complete) return { outcome: 'completed', total };
  // Watcher: no progress since the last look → queue again the batches whose job went missing.
  if (check.finished !== null && check.finished === state.lastFinished) await requeueUnfinished(deps, state, notice.urgent);
  await states.updateOne({ _id }, { $set: { lastFinished: check.finished, lastCheckAt: deps.clock.now() } });
  return { outcome: 'watching', total, progress: check.progress };
}

/** Write every batch and queue its job after the cursor; null when the notice was cancelled meanwhile. */
async function resolve(deps: BroadcastDeps, notice: Notice, state: FanoutState): Promise<FanoutState | null> {
  const states = fanoutStates(deps.models);
  const noticeId = String(notice._id);
  const job = (batchNo: number) => ({ noticeId, batchNo, urgent: notice.urgent });
  await states.updateOne({ _id: notice._id }, { $inc: { runs: 1 } });
  let { cursor, created, batches } = state;
  // Batches a crashed run wrote after its last save: take them as they are.
  for (;;) {
    const b = await deps.models.DeliveryBatch.findById(batchIdFor(notice._id, batches), { members: 1 }).lean<Pick<DeliveryBatch, 'members'>>();
    if (!b?.members.length) break;
    await deps.jobs.addBatches([job(batches)]);
    cursor = new Types.ObjectId(decodeMember(b.members[b.members.length - 1]!).residentId);
    created += b.members.length;
    batches += 1;
  }
  const filter = await recipientFilter(deps.models, notice.targets, notice.scope);
  const query = cursor ? { $and: [filter, { _id: { $gt: cursor } }] } : filter;
  const round = state.batchSize * BATCHES_PER_ROUND;
  const recipients = deps.models.Resident.find(query, { _id: 1, openid: 1, lastInboundAt: 1, kfSentSinceInbound: 1 })
    .sort({ _id: 1 })
    .lean<Recipient[]>()
    .cursor({ batchSize: round });
  let pending: Recipient[] = [];
  const flush = async (): Promise<boolean> => {
    if (!pending.length) return true;
    const current = await deps.notice(noticeId);
    if (!current || current.status === 'cancelled') return false;
    const now = deps.clock.now();
    const docs: DeliveryBatch[] = [];
    for (let i = 0; i < pending.length; i += state.batchSize) {
      const members = pending
        .slice(i, i + state.batchSize)
        .map((r) => encodeMember({ residentId: String(r._id), openid: r.openid, inboundAt: r.lastInboundAt ?? null, kfSent: r.kfSentSinceInbound ?? 0 }));
      const batchNo = batches + docs.length;
      docs.push({ _id: batchIdFor(notice._id, batchNo), noticeId: notice._id, batchNo, urgent: notice.urgent, members, createdAt: now });
    }
    // Ordered: a crash leaves a prefix, which the next run finds. A duplicate id means another
    // run of this fan-out wrote it: the error makes the job retry, and the retry reads it back.
    await deps.models.DeliveryBatch.insertMany(docs, { ordered: true, lean: true });
    await deps.jobs.addBatches(docs.map((d) => job(d.batchNo)));
    created += pending.length;
    batches += docs.length;
    cursor = pending[pending.length - 1]!._id;
    await states.updateOne({ _id: notice._id }, { $set: { cursor, created, batches } });
    pending = [];
    return true;
  };
  try {
    for await (const r of recipients) {
      pending.push(r as Recipient);
      if (pending.length >= round && !(await flush())) return null;
    }
    if (!(await flush())) return null;
  } finally {
    await recipients.close().catch(() => {});
  }
  const done = await states
    .findOneAndUpdate(
      { _id: notice._id },
      { $set: { done: true, cursor, created, total: created, batches, finishedAt: deps.clock.now() } },
      { returnDocument: 'after' },
    )
    .lean<FanoutState>();
  // The tally's total goes in before the completion check, so a batch finishing later sees it.
  await deps.store.setTotal(noticeId, created);
  return done;
}
