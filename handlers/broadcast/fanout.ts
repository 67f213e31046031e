/**
 * Fan a released notice out (job `fanout-<noticeId>`): its recipients in numbered batches of
 * BROADCAST_BATCH_SIZE (100), one deliver job per batch, then watch until the broadcast is
 * complete.
 *
 * Recipients come from the notices' ONE filter (`recipientFilter`: groups OR-ed, scope and
 * `subscribed` AND-ed), so a resident in several groups is one recipient. Per round of up to five
 * batches: insert them (ids from notice and batch number), queue their jobs (deterministic ids,
 * so re-queueing is a no-op), then save the count.
 *
 * The query is read as it streams, in the server's order, through one database cursor: on
 * FerretDB 1.x every non-`_id` query scans the collection, and a sorted one answers nothing
 * before it has read and sorted all of it (12 s for 100,000 residents before the first batch,
 * against 50 ms unsorted). Without an order to resume from, a fan-out that crashed resumes by
 * reading the batches it wrote (by number, including any written after the last save) and
 * leaving their residents out of the same query run again — so every recipient is in exactly
 * one batch, and a resident who joined a target group meanwhile is included.
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
/** Batches written (and jobs queued) per round, between two saves of the count. */
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

/** Write every batch not yet written and queue its job; null when the notice was cancelled meanwhile. */
async function resolve(deps: BroadcastDeps, notice: Notice, state: FanoutState): Promise<FanoutState | null> {
  const states = fanoutStates(deps.models);
  const noticeId = String(notice._id);
  const job = (batchNo: number) => ({ noticeId, batchNo, urgent: notice.urgent });
  await states.updateOne({ _id: notice._id }, { $inc: { runs: 1 } });
  let { created, batches } = state;
  // A resumed run: the residents already in a batch, and the batches written after the last save.
  const included = new Set<string>();
  for (let n = 0; state.runs > 0; n++) {
    const b = await deps.models.DeliveryBatch.findById(batchIdFor(notice._id, n), { members: 1 }).lean<Pick<DeliveryBatch, 'members'>>();
    if (!b) break;
    for (const line of b.members) included.add(decodeMember(line).residentId);
    if (n < batches) continue;
    await deps.jobs.addBatches([job(n)]);
    created += b.members.length;
    batches = n + 1;
  }
  const filter = await recipientFilter(deps.models, notice.targets, notice.scope);
  const round = state.batchSize * BATCHES_PER_ROUND;
  const recipients = deps.models.Resident.find(filter, { _id: 1, openid: 1, lastInboundAt: 1, kfSentSinceInbound: 1 })
    .lean<Recipient[]>()
    .cursor({ batchSize: round });
  let pending: Recipient[] = [];
  const flush = async (): Promise<boolean> => {
    if (!pending.length) return true;
    const current = await deps.notice(noticeId);
    if (!current || current.status === 'cancelled') return false;
    const now = deps.clock.now();
    // The webhook's cache is ahead of MongoDB for residents who wrote lately (one round trip).
    const cached = deps.windows ? await deps.windows.read(pending.map((r) => ({ channel: 'wechat' as const, openid: r.openid }))) : [];
    const lines = pending.map((r, i) => {
      const c = cached[i];
      return encodeMember({
        residentId: String(r._id),
        openid: r.openid,
        inboundAt: c ? c.lastInboundAt : (r.lastInboundAt ?? null),
        kfSent: c ? c.kfSentSinceInbound : (r.kfSentSinceInbound ?? 0),
      });
    });
    const docs: DeliveryBatch[] = [];
    for (let i = 0; i < pending.length; i += state.batchSize) {
      const members = lines.slice(i, i + state.batchSize);
      const batchNo = batches + docs.length;
      docs.push({ _id: batchIdFor(notice._id, batchNo), noticeId: notice._id, batchNo, urgent: notice.urgent, members, createdAt: now });
    }
    // Ordered: a crash leaves a prefix, which the next run reads. A duplicate id means another
    // run of this fan-out wrote it: the error makes the job retry, and the retry reads it back.
    await deps.models.DeliveryBatch.insertMany(docs, { ordered: true, lean: true });
    await deps.jobs.addBatches(docs.map((d) => job(d.batchNo)));
    created += pending.length;
    batches += docs.length;
    await states.updateOne({ _id: notice._id }, { $set: { created, batches } });
    pending = [];
    return true;
  };
  try {
    for await (const r of recipients) {
      if (included.size && included.has(String(r._id))) continue;
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
      { $set: { done: true, created, total: created, batches, finishedAt: deps.clock.now() } },
      { returnDocument: 'after' },
    )
    .lean<FanoutState>();
  // The tally's total goes in before the completion check, so a batch finishing later sees it.
  await deps.store.setTotal(noticeId, created);
  return done;
}
