/**
 * The slot ledger's durable side: every decision Redis made is written to a `TaskSignup` record
 * before anyone is told, and the ledger is rebuilt from those records when Redis does not hold a
 * task (first use after release, or after Redis lost its data).
 */
import type { Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import { taskSignupIdFor, type SignupStatus, type TaskSignup, type VolunteerTask } from '../../models/volunteer-task.js';
import { volunteerIdFor } from '../../models/volunteer.js';
import type { LedgerState, SlotLedger } from './ports.js';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** The ledger state the durable records describe. */
export async function stateFromRecords(models: Models, task: Pick<VolunteerTask, '_id' | 'slots' | 'status'>): Promise<LedgerState> {
  const records = await models.TaskSignup.find({ taskId: task._id }).lean<TaskSignup[]>();
  const entries = (status: SignupStatus) =>
    records
      .filter((r) => r.status === status)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({ residentId: String(r.residentId), seq: r.seq }));
  return {
    capacity: task.slots,
    open: task.status === 'open',
    seq: Math.max(0, ...records.map((r) => r.seq)),
    ver: Math.max(0, ...records.map((r) => r.ver)),
    roster: entries('confirmed'),
    waitlist: entries('waitlisted'),
  };
}

/** Run a ledger operation; when the ledger does not hold the task, load it from the records and run it again. */
export async function withLedger<T extends { kind: string }>(
  deps: { models: Models; slots: SlotLedger },
  task: Pick<VolunteerTask, '_id' | 'slots' | 'status'>,
  op: () => Promise<T>,
): Promise<Exclude<T, { kind: 'missing' }>> {
  let out = await op();
  if (out.kind === 'missing') {
    await deps.slots.load(String(task._id), await stateFromRecords(deps.models, task));
    out = await op();
    if (out.kind === 'missing') throw new Error(`the slot ledger lost task ${String(task._id)} again`);
  }
  return out as Exclude<T, { kind: 'missing' }>;
}

export interface SignupChange {
  status: SignupStatus;
  seq: number;
  ver: number;
  sourceKey?: string;
  promoted?: { residentId: string; ver: number } | null;
}

/**
 * Write one decision on a volunteer's record, unless a newer one (higher `ver`) is there: an
 * update that finds only a newer record inserts instead, which the unique `_id` refuses. (Each
 * decision has its own `ver`; the same `ver` again is the same decision, or the ledger's truth.)
 */
export async function recordSignup(models: Models, taskId: Types.ObjectId | string, residentId: string, change: SignupChange, now: Date): Promise<void> {
  const _id = taskSignupIdFor(taskId, residentId);
  try {
    await models.TaskSignup.updateOne(
      { _id, ver: { $lte: change.ver } },
      {
        $set: {
          status: change.status,
          seq: change.seq,
          ver: change.ver,
          updatedAt: now,
          ...(change.sourceKey ? { sourceKey: change.sourceKey } : {}),
          promoted: change.promoted ?? null,
        },
        $setOnInsert: { taskId, residentId, volunteerId: volunteerIdFor(residentId) },
      },
      { upsert: true },
    );
  } catch (err) {
    if (!isDuplicate(err)) throw err;
  }
}

/**
 * Make the records match the ledger (the live truth) for this task: a decision whose write was
 * lost (a process that died in between) is written now. Answers the state.
 */
export async function reconcile(deps: { models: Models; slots: SlotLedger }, task: VolunteerTask, now: Date): Promise<LedgerState> {
  let state = await deps.slots.state(String(task._id));
  if (!state) {
    await deps.slots.load(String(task._id), await stateFromRecords(deps.models, task));
    state = (await deps.slots.state(String(task._id)))!;
  }
  const records = new Map((await deps.models.TaskSignup.find({ taskId: task._id }).lean<TaskSignup[]>()).map((r) => [String(r.residentId), r]));
  const want = new Map<string, { status: SignupStatus; seq: number }>();
  for (const e of state.roster) want.set(e.residentId, { status: 'confirmed', seq: e.seq });
  for (const e of state.waitlist) want.set(e.residentId, { status: 'waitlisted', seq: e.seq });
  for (const [residentId, r] of records) if (!want.has(residentId) && r.status !== 'left') want.set(residentId, { status: 'left', seq: r.seq });
  for (const [residentId, w] of want) {
    const r = records.get(residentId);
    if (r?.status === w.status) continue;
    // The ledger's change counter is at least as new as any decision written so far.
    await recordSignup(deps.models, task._id, residentId, { ...w, ver: state.ver }, now);
  }
  return state;
}
