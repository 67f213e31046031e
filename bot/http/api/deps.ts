/**
 * The staff API's ports from the runtime, built once per process: places (cached), leases in
 * Redis, the resident messenger and the supply notification queue.
 */
import type { Language } from '../../../flows/engine/types.js';
import type { EscalationDeps } from '../../../handlers/escalations/escalations.js';
import type { AlertDeps } from '../../../handlers/health/alerts.js';
import type { SupplyActionDeps } from '../../../handlers/supplies/staff-actions.js';
import { inboundJobs, placesOf } from '../../conversation.js';
import { tellDeps } from '../../messenger.js';
import { redisResidentLocks } from '../../pipeline/session-store.js';
import type { Runtime } from '../../runtime.js';

export interface StaffApiDeps {
  health: AlertDeps;
  escalations: EscalationDeps;
  supplies: SupplyActionDeps;
}

const built = new WeakMap<Runtime, StaffApiDeps>();

export function staffApiDeps(rt: Runtime): StaffApiDeps {
  let d = built.get(rt);
  if (d) return d;
  const base = { models: rt.models, places: placesOf(rt), clock: rt.clock };
  // The same owner-checked SET NX PX lease the conversation uses per resident, under its own prefix.
  const leases = redisResidentLocks(rt.redis, 'linli:lease:');
  d = {
    health: { ...base, leases },
    escalations: { ...base, leases, tell: tellDeps(rt), translate: (lng: Language) => rt.i18n.getFixedT(lng) },
    supplies: { ...base, notifyEvent: inboundJobs(rt.queues).notifySupplyEvent },
  };
  built.set(rt, d);
  return d;
}
