/**
 * The volunteer effects: a sign-up stored for approval, a task's place taken or given back. What
 * the slot ledger decided comes back as the reply (`taskReply`).
 */
import { submitVolunteer as storeSignUp } from '../../volunteers/applications.js';
import { joinTask as join, leaveTask as leave } from '../../volunteers/task-replies.js';
import type { EffectHandler } from './ports.js';

export const submitVolunteer: EffectHandler<'submitVolunteer'> = async (deps, e, { resident, now, key }) => {
  await storeSignUp(deps, resident, e.volunteer, key, now);
  await deps.residents.changed(resident.channel, resident.openid);
  return undefined;
};

export const joinTask: EffectHandler<'joinTask'> = async (deps, e, { resident, key }) => ({ taskReply: await join(deps, resident, e.task, key) });

export const leaveTask: EffectHandler<'leaveTask'> = async (deps, e, { resident, key }) => ({ taskReply: await leave(deps, resident, e.task, key) });
