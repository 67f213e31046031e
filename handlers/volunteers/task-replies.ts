/**
 * A volunteer's `接 T12` / `1` / `退 T12`: find the task, let the slot ledger decide, write the
 * decision down, and answer with what it means — a place, a waitlist position, or why not. The
 * answer is a prompt (the effect's result `taskReply`), rendered in the volunteer's language.
 *
 * A retry of the same message (WeChat re-sends when the reply was late) answers what the first
 * run decided: the record carries the message's key.
 */
import type { TaskRef } from '../../flows/engine/effects.js';
import type { Prompt } from '../../flows/engine/types.js';
import { taskParams } from '../../flows/volunteers/task-text.js';
import { taskIdFor, taskSignupIdFor, type TaskSignup, type VolunteerTask } from '../../models/volunteer-task.js';
import { volunteerIdFor, type Volunteer } from '../../models/volunteer.js';
import { DEFAULT_TIME_ZONE } from '../places/directory.js';
import type { ResidentView } from '../inbound/touch-resident.js';
import { recordSignup, withLedger } from './ledger.js';
import type { SlotDeps } from './ports.js';
import { tellPromoted } from './tell.js';

const say = (key: string, params: Record<string, unknown> = {}): Prompt => ({ key: `volunteers:${key}`, params });

interface Found {
  task: VolunteerTask;
  /** The task's parameters for messages (code, title, place, time). */
  params: Record<string, unknown>;
}

/** The task a reply means, or the answer saying why there is none. */
async function findTask(deps: SlotDeps, resident: ResidentView, community: string | undefined, ref: TaskRef): Promise<Found | Prompt> {
  let id: string | undefined;
  let code = 'code' in ref ? ref.code : undefined;
  if ('latest' in ref) {
    const latest = ref.id ? { taskId: ref.id, code: ref.code } : await deps.taskPrompts.latest(resident.id);
    if (!latest) return say('join.no_prompt');
    id = latest.taskId;
    code = latest.code;
  } else if (community) id = String(taskIdFor(community, Number(ref.code.slice(1))));
  const task = id ? await deps.models.VolunteerTask.findById(id).lean<VolunteerTask>() : null;
  if (!task || task.communityCode !== community) return say('join.not_found', { code });
  const timeZone = (await deps.places.community(task.communityCode))?.timeZone ?? DEFAULT_TIME_ZONE;
  return { task, params: taskParams(task, timeZone) };
}

/** Why a task takes no more volunteers now, if it does not. */
function closedReason(task: VolunteerTask, now: Date, params: Record<string, unknown>): Prompt | undefined {
  if (task.status === 'draft') return say('join.not_open', params);
  if (task.status === 'cancelled') return say('join.cancelled', params);
  if (now.getTime() >= task.endsAt.getTime()) return say('join.ended', params);
  return undefined;
}

export async function joinTask(deps: SlotDeps, resident: ResidentView, ref: TaskRef, key: string): Promise<Prompt> {
  const volunteer = await deps.models.Volunteer.findById(volunteerIdFor(resident.id)).lean<Volunteer>();
  if (!volunteer || volunteer.status === 'rejected') return say('join.not_volunteer');
  if (volunteer.status === 'pending') return say('join.pending');
  const found = await findTask(deps, resident, volunteer.communityCode, ref);
  if (!('task' in found)) return found;
  const { task, params } = found;
  const now = deps.clock.now();
  const closed = closedReason(task, now, params);
  if (closed) return closed;
  if (task.skill && !volunteer.skills.includes(task.skill)) return say('join.skill_missing', { ...params, skill: { key: `volunteers:skill.${task.skill}` } });
  const taskId = String(task._id);
  const out = await withLedger(deps, task, () => deps.slots.join(taskId, resident.id));
  switch (out.kind) {
    case 'closed':
      return say('join.cancelled', params);
    case 'confirmed':
    case 'waitlisted': {
      const status = out.kind;
      await recordSignup(deps.models, task._id, resident.id, { status, seq: out.seq, ver: out.ver, sourceKey: key }, now);
      return status === 'confirmed' ? say('join.confirmed', params) : say('join.waitlisted', { ...params, position: out.position });
    }
    case 'already_confirmed':
    case 'already_waitlisted': {
      const status = out.kind === 'already_confirmed' ? 'confirmed' : 'waitlisted';
      const record = await deps.models.TaskSignup.findById(taskSignupIdFor(taskId, resident.id)).lean<TaskSignup>();
      // No record, or this very message's: the first run decided but its write or its reply was lost.
      const first = !record || record.status !== status || record.sourceKey === key;
      if (first) {
        const ver = (await deps.slots.state(taskId))?.ver ?? out.seq;
        await recordSignup(deps.models, task._id, resident.id, { status, seq: out.seq, ver, ...(record ? {} : { sourceKey: key }) }, now);
      }
      if (out.kind === 'already_confirmed') return say(first ? 'join.confirmed' : 'join.already_confirmed', params);
      return say(first ? 'join.waitlisted' : 'join.already_waitlisted', { ...params, position: out.position });
    }
  }
}

export async function leaveTask(deps: SlotDeps, resident: ResidentView, ref: { code: string }, key: string): Promise<Prompt> {
  const volunteer = await deps.models.Volunteer.findById(volunteerIdFor(resident.id)).lean<Volunteer>();
  const found = await findTask(deps, resident, volunteer?.communityCode ?? resident.registration?.communityCode, ref);
  if (!('task' in found)) return found;
  const { task, params } = found;
  const now = deps.clock.now();
  if (task.status === 'cancelled') return say('join.cancelled', params);
  if (now.getTime() >= task.endsAt.getTime()) return say('leave.ended', params);
  if (task.status === 'draft') return say('leave.not_signed_up', params);
  const taskId = String(task._id);
  const out = await withLedger(deps, task, () => deps.slots.leave(taskId, resident.id));
  if (out.kind === 'left' || out.kind === 'left_waitlist') {
    const promoted = out.kind === 'left' && out.promoted ? { residentId: out.promoted.residentId, ver: out.ver } : null;
    const seq = (await deps.models.TaskSignup.findById(taskSignupIdFor(taskId, resident.id)).lean<TaskSignup>())?.seq ?? 0;
    // The leaver's record names whom it moved up, so a retry after a crash still tells them.
    await recordSignup(deps.models, task._id, resident.id, { status: 'left', seq, ver: out.ver, sourceKey: key, promoted }, now);
    if (out.kind === 'left' && out.promoted) await promote(deps, task, out.promoted.residentId, out.promoted.seq, out.ver);
    return say(out.kind === 'left' ? 'leave.left' : 'leave.left_waitlist', params);
  }
  const record = await deps.models.TaskSignup.findById(taskSignupIdFor(taskId, resident.id)).lean<TaskSignup>();
  if (record?.status === 'left' && record.sourceKey === key) {
    // This message's retry: the place was given back; make sure whoever moved up was recorded and told.
    if (record.promoted) {
      const seq = (await deps.slots.state(taskId))?.roster.find((e) => e.residentId === record.promoted!.residentId)?.seq;
      if (seq !== undefined) await promote(deps, task, record.promoted.residentId, seq, record.promoted.ver);
    }
    return say('leave.left', params);
  }
  if (record && record.status !== 'left') {
    // The ledger says gone but the record missed it (a lost write): the ledger is the truth.
    const ver = (await deps.slots.state(taskId))?.ver ?? record.ver;
    await recordSignup(deps.models, task._id, resident.id, { status: 'left', seq: record.seq, ver }, now);
    return say('leave.left', params);
  }
  return say('leave.not_signed_up', params);
}

/** A volunteer moved up from the waitlist: recorded, then told (once per move). */
export async function promote(deps: SlotDeps, task: VolunteerTask, residentId: string, seq: number, ver: number): Promise<void> {
  await recordSignup(deps.models, task._id, residentId, { status: 'confirmed', seq, ver }, deps.clock.now());
  await tellPromoted(deps, task, residentId, ver);
}
