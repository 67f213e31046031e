/**
 * The sends of one batch run: lanes, each holding one of the process's send slots, take the
 * members in order. A lane claims a member in the log before sending to it, and records its
 * outcome together with the claim of its next member in the same write (batch-log.ts) — so the
 * members sent but not yet recorded are never more than the slots a process has (the duplicates
 * a crash can cause), while the log costs a few writes per batch.
 *
 * Before every send the lane looks at the notice (cached for half a second, so a cancel stops the
 * batch within that time) and, under BROADCAST_RATE_PER_S, waits for its turn. A stopping worker
 * (`signal`) hands the claimed members back unsent and claims no more.
 */
import { Types } from 'mongoose';
import type { BatchMember } from '../../models/delivery.js';
import type { MemberOutcome } from '../../models/delivery-log.js';
import type { Notice } from '../../models/notice.js';
import type { BatchLog } from './batch-log.js';
import { chooseChannels } from './channel.js';
import type { BroadcastDeps } from './ports.js';
import { noticeMessage, sendToMember } from './send.js';

/** Statements per update command: FerretDB 1.x wedges at 100 (docs/ferretdb.md). */
export const UPDATE_BATCH = 50;

export interface BatchSendInput {
  noticeId: string;
  lastAttempt: boolean;
  urgent: boolean;
  signal?: AbortSignal;
}

export async function sendBatch(
  deps: BroadcastDeps,
  notice: Notice,
  members: BatchMember[],
  log: BatchLog,
  todo: number[],
  input: BatchSendInput,
): Promise<void> {
  const channels = await chooseChannels(
    deps,
    todo.map((i) => members[i]!),
    deps.clock.now(),
    deps.templateId !== '',
  );
  const channelOf = new Map(todo.map((m, k) => [m, channels[k]!]));
  const message = noticeMessage(deps, notice);
  const kfUsed = new Set<number>();
  const unsubscribed: string[] = [];
  const queue = [...todo];
  let cancelled = false;
  let failure: unknown = null;
  const stopping = () => cancelled || failure !== null || !!input.signal?.aborted || log.leaseLost || !!log.failed;
  const next = () => (stopping() ? undefined : queue.shift());

  const noticeCancelled = async () => {
    const current = await deps.notice(input.noticeId);
    if (!current || current.status === 'cancelled') cancelled = true;
    return cancelled;
  };
  const attempt = async (m: number): Promise<MemberOutcome> => {
    const at = () => deps.clock.now();
    if (input.signal?.aborted || log.leaseLost) return { m, status: 'released', at: at() };
    if (await noticeCancelled()) return { m, status: 'cancelled', at: at() };
    const channel = channelOf.get(m);
    if (!channel) return { m, status: 'failed', at: at(), failReason: 'no_template' };
    if (deps.pace) {
      await deps.pace.next();
      // The turn may have been a while coming: look at the notice again right before sending.
      if (await noticeCancelled()) return { m, status: 'cancelled', at: at() };
    }
    const r = await sendToMember(deps, message, m, members[m]!, channel, input.lastAttempt);
    if (r.kfUsed) kfUsed.add(m);
    if (r.unsubscribed) unsubscribed.push(members[m]!.residentId);
    return r.outcome;
  };

  const lane = async () => {
    const release = await deps.slots.acquire(input.urgent);
    try {
      let m = next();
      if (m === undefined) return;
      await log.commit([m], []);
      while (m !== undefined) {
        let outcome: MemberOutcome;
        try {
          outcome = await attempt(m);
        } catch (err) {
          // Nothing was sent (the send itself never throws): hand the member back and stop the run.
          failure ??= err;
          outcome = { m, status: 'released', at: deps.clock.now() };
        }
        const n = next();
        await log.commit(n === undefined ? [] : [n], [outcome]);
        m = n;
      }
    } finally {
      release();
    }
  };

  const width = Math.min(todo.length, deps.slots.size);
  log.groupSize = Math.ceil(width / 2);
  const lanes = await Promise.allSettled(Array.from({ length: width }, lane));
  // Reserved customer-service messages that were not used go back; unfollowed residents are marked.
  const refunds = todo.filter((m) => channelOf.get(m) === 'kf' && !kfUsed.has(m)).map((m) => members[m]!);
  if (refunds.length) await deps.budget.refund(refunds).catch((err: unknown) => deps.log?.warn({ err }, 'could not refund customer-service messages'));
  if (unsubscribed.length) await markUnsubscribed(deps, unsubscribed);
  const rejected = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (rejected) throw rejected.reason;
  if (failure !== null) throw failure;
}

/** Residents WeChat says unfollowed: `subscribed: false`, in update commands of fewer than 100 statements. */
export async function markUnsubscribed(deps: Pick<BroadcastDeps, 'models' | 'clock'>, residentIds: string[]): Promise<void> {
  const now = deps.clock.now();
  for (let i = 0; i < residentIds.length; i += UPDATE_BATCH) {
    await deps.models.Resident.bulkWrite(
      residentIds.slice(i, i + UPDATE_BATCH).map((id) => ({
        updateOne: { filter: { _id: new Types.ObjectId(id) }, update: { $set: { subscribed: false, unsubscribedAt: now } } },
      })),
      { ordered: false },
    );
  }
}
