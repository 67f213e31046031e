/**
 * Every effect type and its handler. `runEffects` carries out a step's effects in order, before
 * the reply goes out, and collects their results for the replies' parameters.
 */
import type { Effect } from '../../../flows/engine/effects.js';
import { escalate } from './escalate.js';
import { raiseHealthAlert, submitHealthReport } from './health.js';
import type { EffectContext, EffectDeps, EffectHandler } from './ports.js';
import { saveRegistration } from './save-registration.js';
import { setLanguage } from './set-language.js';
import { answerStillNeeded, submitSupplyRequest } from './supplies.js';
import { requestGatePass } from './gate-pass.js';
import { registerReturn } from './returnee.js';
import { bookAllocation, cancelAllocationBooking } from './allocations.js';
import { joinTask, leaveTask, submitVolunteer } from './volunteers.js';
import { askClaimEffect, recordRumorAnswer } from './rumors.js';

export type { EffectContext, EffectDeps, InboundJobs, TicketCounter } from './ports.js';

const HANDLERS: { [T in Effect['type']]: EffectHandler<T> } = {
  setLanguage,
  saveRegistration,
  escalate,
  submitHealthReport,
  raiseHealthAlert,
  submitSupplyRequest,
  answerStillNeeded,
  requestGatePass,
  registerReturn,
  bookAllocation,
  cancelAllocationBooking,
  submitVolunteer,
  joinTask,
  leaveTask,
  recordRumorAnswer,
  askClaim: askClaimEffect,
};

export async function runEffects(deps: EffectDeps, effects: Effect[], ctx: EffectContext): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const [i, effect] of effects.entries()) {
    const handler = HANDLERS[effect.type] as EffectHandler<typeof effect.type>;
    Object.assign(results, await handler(deps, effect as never, { ...ctx, key: `${ctx.key}#${i}` }));
  }
  return results;
}
