/**
 * Messages to volunteers outside their conversation — prompts, a place freed up for them, the
 * reminder, a change, a cancellation, the sign-up's decision — all through the `BulkMessages`
 * port (queued, rate-limited, customer-service message inside the 48-hour window and template
 * outside, each recipient once per (kind, ref)), rendered in each volunteer's language.
 */
import type { Prompt } from '../../flows/engine/types.js';
import { taskParams } from '../../flows/volunteers/task-text.js';
import type { VolunteerTask } from '../../models/volunteer-task.js';
import { DEFAULT_TIME_ZONE } from '../places/directory.js';
import type { VolunteerDeps } from './ports.js';

type TellDeps = Pick<VolunteerDeps, 'bulk' | 'places'>;

export async function taskMessageParams(deps: Pick<VolunteerDeps, 'places'>, task: VolunteerTask): Promise<Record<string, unknown>> {
  const timeZone = (await deps.places.community(task.communityCode))?.timeZone ?? DEFAULT_TIME_ZONE;
  return taskParams(task, timeZone);
}

/** One message about a task to some of its volunteers; `ref` makes it once per recipient. */
async function tellAboutTask(
  deps: TellDeps,
  task: VolunteerTask,
  kind: string,
  ref: string,
  text: (params: Record<string, unknown>) => Prompt,
  residentIds: string[],
) {
  if (!residentIds.length) return 0;
  const params = await taskMessageParams(deps, task);
  const { queued } = await deps.bulk.send({
    kind,
    ref,
    title: { key: 'volunteers:prompt_title', params: { code: task.code, title: task.title } },
    text: text(params),
    residentIds,
  });
  return queued;
}

/** The invitation: time, place, places needed, how to answer. */
export const sendPrompts = (deps: TellDeps, task: VolunteerTask, residentIds: string[]) =>
  tellAboutTask(
    deps,
    task,
    'volunteer-task',
    String(task._id),
    (p) =>
      task.skill
        ? { key: 'volunteers:prompt_skill', params: { ...p, slots: task.slots, skill: { key: `volunteers:skill.${task.skill}` } } }
        : { key: 'volunteers:prompt', params: { ...p, slots: task.slots } },
    residentIds,
  );

/** Moved up from the waitlist by the change `ver`. */
export const tellPromoted = (deps: TellDeps, task: VolunteerTask, residentId: string, ver: number) =>
  tellAboutTask(deps, task, 'volunteer-promoted', `${String(task._id)}:${residentId}:${ver}`, (p) => ({ key: 'volunteers:promoted', params: p }), [residentId]);

/** Before the start, to the roster (once per start time). */
export const sendReminder = (deps: TellDeps, task: VolunteerTask, residentIds: string[]) =>
  tellAboutTask(
    deps,
    task,
    'volunteer-reminder',
    `${String(task._id)}:${task.startsAt.getTime()}`,
    (p) => ({ key: 'volunteers:reminder', params: p }),
    residentIds,
  );

/** Time, place or title changed (`stamp`: when, so each change is told once). */
export const tellChanged = (deps: TellDeps, task: VolunteerTask, stamp: Date, residentIds: string[]) =>
  tellAboutTask(deps, task, 'volunteer-task-changed', `${String(task._id)}:${stamp.getTime()}`, (p) => ({ key: 'volunteers:changed', params: p }), residentIds);

/** Cancelled: everyone on the roster and the waitlist. */
export const tellCancelled = (deps: TellDeps, task: VolunteerTask, residentIds: string[]) =>
  tellAboutTask(
    deps,
    task,
    'volunteer-task-cancelled',
    String(task._id),
    (p) =>
      task.cancelReason ? { key: 'volunteers:cancelled_reason', params: { ...p, reason: task.cancelReason } } : { key: 'volunteers:cancelled', params: p },
    residentIds,
  );

/** The sign-up's decision (`decisionId`: once per decision). */
export async function tellDecision(deps: TellDeps, decisionId: string, residentId: string, decision: 'approved' | 'rejected', reason?: string | null) {
  await deps.bulk.send({
    kind: 'volunteer-decision',
    ref: decisionId,
    title: { key: 'volunteers:message_title' },
    text: decision === 'approved' ? { key: 'volunteers:approved' } : { key: 'volunteers:rejected', params: { reason: reason ?? '' } },
    residentIds: [residentId],
  });
}
