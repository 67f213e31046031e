/**
 * Tasks as staff see them: the task, its roster (in the order places were taken) and waitlist
 * (in queue order) with each volunteer's name and mobile, and attendance. Reading a task's
 * places also repairs any record the ledger decided but a crash kept from being written.
 */
import type { Models } from '../../models/index.js';
import { taskSignupIdFor, type TaskSignup, type VolunteerTask } from '../../models/volunteer-task.js';
import { volunteerIdFor, type Volunteer } from '../../models/volunteer.js';
import { AppError, notFound } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { reconcile, stateFromRecords } from './ledger.js';
import type { LedgerEntry, VolunteerDeps } from './ports.js';
import { listFilter } from './scope.js';

export async function loadTask(deps: Pick<VolunteerDeps, 'models'>, id: string): Promise<VolunteerTask> {
  const task = /^[0-9a-f]{24}$/i.test(id) ? await deps.models.VolunteerTask.findById(id).lean<VolunteerTask>() : null;
  if (!task) throw notFound('volunteer task');
  return task;
}

export interface TaskView {
  id: string;
  code: string;
  title: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
  slots: number;
  skill: string | null;
  community: string;
  building: string | null;
  status: VolunteerTask['status'];
  createdBy: { id: string; name: string };
  createdAt: Date;
  releasedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
}

export const taskView = (t: VolunteerTask): TaskView => ({
  id: String(t._id),
  code: t.code,
  title: t.title,
  place: t.place,
  startsAt: t.startsAt,
  endsAt: t.endsAt,
  slots: t.slots,
  skill: t.skill ?? null,
  community: t.communityCode,
  building: t.buildingCode ?? null,
  status: t.status,
  createdBy: t.createdBy,
  createdAt: t.createdAt,
  releasedAt: t.releasedAt ?? null,
  cancelledAt: t.cancelledAt ?? null,
  cancelReason: t.cancelReason ?? null,
});

export interface PlaceView {
  volunteerId: string;
  name: string;
  mobile: string;
  /** 1-based: the order the roster filled, or the place in the waitlist's queue. */
  position: number;
  attended: boolean | null;
}

async function placesOf(models: Models, taskId: string, entries: LedgerEntry[]): Promise<PlaceView[]> {
  if (!entries.length) return [];
  const ids = entries.map((e) => volunteerIdFor(e.residentId));
  const [volunteers, records] = await Promise.all([
    models.Volunteer.find({ _id: { $in: ids } }).lean<Volunteer[]>(),
    models.TaskSignup.find({ _id: { $in: entries.map((e) => taskSignupIdFor(taskId, e.residentId)) } }).lean<TaskSignup[]>(),
  ]);
  const byResident = new Map(volunteers.map((v) => [String(v.residentId), v]));
  const attended = new Map(records.map((r) => [String(r.residentId), r.attended ?? null]));
  return entries.map((e, i) => {
    const v = byResident.get(e.residentId);
    return {
      volunteerId: String(volunteerIdFor(e.residentId)),
      name: v?.name ?? '',
      mobile: v?.mobile ?? '',
      position: i + 1,
      attended: attended.get(e.residentId) ?? null,
    };
  });
}

/** `GET /api/volunteer-tasks/:id`: the task with its roster and waitlist. */
export async function getTask(
  deps: Pick<VolunteerDeps, 'models' | 'slots' | 'clock'>,
  id: string,
): Promise<{ task: TaskView; roster: PlaceView[]; waitlist: PlaceView[] }> {
  const task = await loadTask(deps, id);
  // A draft has nobody on it and no ledger yet: nothing to load into Redis for it.
  const state = task.status === 'draft' ? await stateFromRecords(deps.models, task) : await reconcile(deps, task, deps.clock.now());
  const [roster, waitlist] = await Promise.all([placesOf(deps.models, id, state.roster), placesOf(deps.models, id, state.waitlist)]);
  return { task: taskView(task), roster, waitlist };
}

/** `GET /api/volunteer-tasks`: in the caller's scope, soonest first. */
export async function listTasks(
  deps: Pick<VolunteerDeps, 'models' | 'places'>,
  actor: Actor,
  q: { status?: VolunteerTask['status']; community?: string; limit: number },
): Promise<{ tasks: TaskView[] }> {
  const scope = await listFilter(deps.places, actor, q.community);
  // (A building account manages its building's tasks only, not the community-wide ones.)
  const filter = { ...scope, ...(q.status ? { status: q.status } : {}) };
  const tasks = await deps.models.VolunteerTask.find(filter).sort({ startsAt: 1 }).limit(q.limit).lean<VolunteerTask[]>();
  return { tasks: tasks.map(taskView) };
}

/**
 * `POST /api/volunteer-tasks/:id/attendance`: mark who came (or not). Only volunteers on the
 * roster can be marked; anyone else is a 409 naming them.
 */
export async function markAttendance(
  deps: Pick<VolunteerDeps, 'models' | 'slots' | 'clock'>,
  actor: Actor,
  id: string,
  input: { volunteers: string[]; attended: boolean },
): Promise<{ task: TaskView; roster: PlaceView[]; waitlist: PlaceView[] }> {
  const task = await loadTask(deps, id);
  if (task.status !== 'open') throw new AppError('conflict_state', `this task is ${task.status}`, { status: task.status });
  const state = await reconcile(deps, task, deps.clock.now());
  const onRoster = new Map(state.roster.map((e) => [String(volunteerIdFor(e.residentId)), e.residentId]));
  const missing = input.volunteers.filter((v) => !onRoster.has(v));
  if (missing.length) throw new AppError('conflict_state', `not on the roster: ${missing.join(', ')}`, { volunteers: missing });
  const ids = [...new Set(input.volunteers)].map((v) => taskSignupIdFor(id, onRoster.get(v)!));
  // One update statement for all of them (never a bulk of single updates: FerretDB wedges at 100).
  await deps.models.TaskSignup.updateMany({ _id: { $in: ids } }, { $set: { attended: input.attended, attendedAt: deps.clock.now(), attendedBy: actor.id } });
  return getTask(deps, id);
}
