/**
 * Volunteer tasks for staff: create (a short per-community code such as `T12`), change, release
 * (prompts to the approved volunteers whose skills and area suit it), cancel (everyone on it is
 * told), and the reminder before the start. Places are the slot ledger's business (`ledger.ts`,
 * `task-replies.ts`); a task here only sets how many there are.
 */
import { suits } from '../../flows/volunteers/skills.js';
import { taskCode, taskIdFor, type VolunteerTask } from '../../models/volunteer-task.js';
import type { Volunteer } from '../../models/volunteer.js';
import { AppError, invalid } from '../errors.js';
import { requireScope, type Actor } from '../staff/access.js';
import { reconcile, stateFromRecords, withLedger } from './ledger.js';
import type { VolunteerDeps } from './ports.js';
import type { CreateTaskInput, PatchTaskInput } from './schemas.js';
import { scopeOf } from './scope.js';
import { promote } from './task-replies.js';
import { sendPrompts, sendReminder, tellCancelled, tellChanged } from './tell.js';
import { loadTask, taskView, type TaskView } from './task-view.js';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;
/** Concurrent creations in one community race for a number; the loser takes the next. */
const MAX_CODE_TRIES = 20;

function checkTimes(startsAt: Date, endsAt: Date, now: Date, startChanged: boolean): void {
  if (startChanged && startsAt.getTime() <= now.getTime()) throw invalid('startsAt must be in the future', { field: 'startsAt' });
  if (endsAt.getTime() <= startsAt.getTime()) throw invalid('endsAt must be after startsAt', { field: 'endsAt' });
}

/** `POST /api/volunteer-tasks`: a draft with the community's next code (`T1`, `T2`, …). */
export async function createTask(deps: VolunteerDeps, actor: Actor, input: CreateTaskInput): Promise<TaskView> {
  const community = await deps.places.community(input.community);
  if (!community) throw invalid(`unknown community "${input.community}"`, { field: 'community' });
  if (input.building && !community.buildings.some((b) => b.code === input.building))
    throw invalid(`unknown building "${input.building}" in community ${input.community}`, { field: 'building' });
  requireScope(actor, [scopeOf({ streetCode: community.streetCode, communityCode: community.code, buildingCode: input.building })]);
  const now = deps.clock.now();
  checkTimes(input.startsAt, input.endsAt, now, true);
  for (let attempt = 0; ; attempt++) {
    const last = await deps.models.VolunteerTask.findOne({ communityCode: community.code }).sort({ seq: -1 }).lean<VolunteerTask>();
    const seq = (last?.seq ?? 0) + 1;
    const task: VolunteerTask = {
      _id: taskIdFor(community.code, seq),
      seq,
      code: taskCode(seq),
      title: input.title,
      place: input.place,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      slots: input.slots,
      skill: input.skill ?? null,
      streetCode: community.streetCode,
      communityCode: community.code,
      buildingCode: input.building ?? null,
      status: 'draft',
      createdBy: { id: actor.id, name: actor.name },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await deps.models.VolunteerTask.create(task);
      return taskView(task);
    } catch (err) {
      if (!isDuplicate(err) || attempt >= MAX_CODE_TRIES) throw err;
    }
  }
}

/** The reminder job for the task's current start (none when the reminder time has passed). */
async function scheduleReminder(deps: VolunteerDeps, task: VolunteerTask): Promise<void> {
  const at = new Date(task.startsAt.getTime() - deps.reminderLeadMs);
  if (task.status === 'open' && at.getTime() > deps.clock.now().getTime()) await deps.reminders.schedule(String(task._id), task.startsAt, at);
}

/**
 * `POST /api/volunteer-tasks/:id/release`: open the task and prompt the approved volunteers who
 * suit it. Released again, it prompts only those who were not prompted yet (newly approved).
 */
export async function releaseTask(deps: VolunteerDeps, id: string): Promise<{ task: TaskView; prompted: number }> {
  let task = await loadTask(deps, id);
  const now = deps.clock.now();
  if (task.status === 'cancelled') throw new AppError('conflict_state', 'this task is cancelled', { status: task.status });
  if (task.endsAt.getTime() <= now.getTime()) throw new AppError('conflict_state', 'this task is over', { status: task.status });
  if (task.status === 'draft') {
    await deps.models.VolunteerTask.updateOne({ _id: task._id }, { $set: { status: 'open', releasedAt: now, updatedAt: now } });
    task = { ...task, status: 'open', releasedAt: now };
    await deps.slots.load(id, await stateFromRecords(deps.models, task));
    await scheduleReminder(deps, task);
  }
  const volunteers = await deps.models.Volunteer.find({ communityCode: task.communityCode, status: 'approved' }).lean<Volunteer[]>();
  const suited = volunteers.filter((v) => suits(v, task)).map((v) => String(v.residentId));
  const fresh = await deps.taskPrompts.remember(id, suited, { taskId: id, code: task.code, title: task.title });
  await sendPrompts(deps, task, fresh);
  return { task: taskView(task), prompted: fresh.length };
}

/**
 * `PATCH /api/volunteer-tasks/:id`: title, place, time or places. Fewer places than volunteers
 * confirmed is refused (409: staff ask volunteers to leave first); more places move the waitlist
 * up. A new start time moves the reminder; the volunteers on an open task are told what changed.
 */
export async function updateTask(deps: VolunteerDeps, id: string, patch: PatchTaskInput): Promise<TaskView> {
  const task = await loadTask(deps, id);
  if (task.status === 'cancelled') throw new AppError('conflict_state', 'this task is cancelled', { status: task.status });
  const now = deps.clock.now();
  const next: VolunteerTask = { ...task, ...patch, updatedAt: now };
  checkTimes(next.startsAt, next.endsAt, now, patch.startsAt !== undefined && patch.startsAt.getTime() !== task.startsAt.getTime());
  let promoted: { residentId: string; seq: number }[] = [];
  let ver = 0;
  if (patch.slots !== undefined && patch.slots !== task.slots && task.status === 'open') {
    const out = await withLedger(deps, task, () => deps.slots.resize(id, patch.slots!));
    if (out.kind === 'too_small')
      throw new AppError('conflict_state', `${out.confirmed} volunteers are confirmed; ask some to leave before lowering the places`, {
        confirmed: out.confirmed,
      });
    ({ promoted, ver } = out);
  }
  await deps.models.VolunteerTask.updateOne({ _id: task._id }, { $set: { ...patch, updatedAt: now } });
  for (const p of promoted) await promote(deps, next, p.residentId, p.seq, ver);
  const moved = next.startsAt.getTime() !== task.startsAt.getTime();
  if (moved && task.status === 'open') {
    await deps.reminders.unschedule(id, task.startsAt);
    await scheduleReminder(deps, next);
  }
  const changed = next.title !== task.title || next.place !== task.place || moved || next.endsAt.getTime() !== task.endsAt.getTime();
  if (changed && task.status === 'open') {
    const state = await reconcile(deps, next, now);
    await tellChanged(
      deps,
      next,
      now,
      [...state.roster, ...state.waitlist].map((e) => e.residentId),
    );
  }
  return taskView(next);
}

/** `POST /api/volunteer-tasks/:id/cancel`: no more joins; everyone on the roster and the waitlist is told. */
export async function cancelTask(deps: VolunteerDeps, id: string, reason?: string): Promise<{ task: TaskView; told: number }> {
  let task = await loadTask(deps, id);
  const now = deps.clock.now();
  if (task.status !== 'cancelled') {
    await deps.models.VolunteerTask.updateOne(
      { _id: task._id },
      { $set: { status: 'cancelled', cancelledAt: now, cancelReason: reason ?? null, updatedAt: now } },
    );
    task = { ...task, status: 'cancelled', cancelledAt: now, cancelReason: reason ?? null };
  }
  // Closed after the record says cancelled: a join that slipped in before is on the state read below, and told.
  if (!(await deps.slots.close(id))) {
    await deps.slots.load(id, await stateFromRecords(deps.models, task));
    await deps.slots.close(id);
  }
  const state = await reconcile(deps, task, now);
  await deps.reminders.unschedule(id, task.startsAt);
  const told = await tellCancelled(
    deps,
    task,
    [...state.roster, ...state.waitlist].map((e) => e.residentId),
  );
  return { task: taskView(task), told };
}

/** The reminder job: the roster of an open task whose start is still the one it was scheduled for. */
export async function remindTask(deps: VolunteerDeps, id: string, startsAtMs: number): Promise<{ reminded: number } | { skipped: string }> {
  const task = await deps.models.VolunteerTask.findById(id).lean<VolunteerTask>();
  if (!task) return { skipped: 'missing' };
  if (task.status !== 'open') return { skipped: task.status };
  if (task.startsAt.getTime() !== startsAtMs) return { skipped: 'rescheduled' };
  const state = await reconcile(deps, task, deps.clock.now());
  return {
    reminded: await sendReminder(
      deps,
      task,
      state.roster.map((e) => e.residentId),
    ),
  };
}
