import type { EffectHandler } from './ports.js';

/** A resident who needs a person: staff list open escalations in their scope and answer them. */
export const escalate: EffectHandler<'escalate'> = async (deps, e, { resident, now }) => {
  const r = resident.registration;
  await deps.models.Escalation.create({
    residentId: resident.id,
    channel: resident.channel,
    openid: resident.openid,
    ...(r ? { communityCode: r.communityCode, buildingCode: r.buildingCode } : {}),
    reason: e.reason,
    ...(e.flow ? { flow: e.flow } : {}),
    ...(e.step ? { step: e.step } : {}),
    ...(e.lastInput ? { lastInput: e.lastInput } : {}),
    status: 'open',
    createdAt: now,
  });
  return undefined;
};
