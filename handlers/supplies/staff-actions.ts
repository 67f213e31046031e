/**
 * Staff moving a supply request along `submitted → accepted → assigned → in_transit →
 * delivered` (or rejecting / cancelling it with a reason). Each change goes through
 * `changeSupplyStatus` — one event under a unique (request, seq), so of two staff acting at once
 * one wins and the other gets 409 — and queues the resident's notification of that event.
 */
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import type { SupplyAssignee, SupplyStatus } from '../../models/supply-request.js';
import type { StaffUser } from '../../models/staff-user.js';
import { invalid } from '../errors.js';
import { inScope, type Actor } from '../staff/access.js';
import { toActor } from '../staff/accounts.js';
import { changeSupplyStatus, type StatusChange, type SupplyDeps } from './workflow.js';
import { loadSupplyRequest, requireAssignee, supplyView, type SupplyReadDeps } from './staff-queries.js';
import type { AcceptBody, AssignBody, ProgressBody, ReasonBody } from './staff-schemas.js';

export type SupplyActionDeps = SupplyReadDeps & SupplyDeps;

/** Roles a request can be assigned to, and how the assignee is labelled. */
export const ASSIGNABLE: Partial<Record<string, SupplyAssignee['kind']>> = { committee: 'staff', social_org: 'social_org', property: 'property' };

/**
 * The staff account named by `assign`: it must exist, be active, hold an assignable role and have
 * the request's building in its scope (otherwise it could not see the request). 400 on `assignee`.
 */
async function assigneeFor(
  models: Models,
  staffId: string,
  target: { streetCode?: string; communityCode: string; buildingCode: string },
): Promise<SupplyAssignee> {
  const bad = (reason: string) => invalid(`assignee ${reason}`, { field: 'assignee', reason });
  const s = await models.StaffUser.findById(staffId).lean<StaffUser>();
  if (!s) throw bad('is not a staff account');
  if (s.revokedAt) throw bad('is a revoked account');
  const kind = ASSIGNABLE[s.role];
  if (!kind) throw bad(`is a ${s.role} account; requests go to committee, social_org or property accounts`);
  if (!inScope(toActor(s), target)) throw bad(`(${s.name}) does not cover building ${target.buildingCode} of ${target.communityCode}`);
  return { kind, staffId: String(s._id), name: s.name };
}

async function change(deps: SupplyActionDeps, actor: Actor, id: string, c: StatusChange) {
  const r = await loadSupplyRequest(deps.models, id);
  requireAssignee(actor, r);
  const { request } = await changeSupplyStatus(deps, id, c, { id: actor.id, name: actor.name });
  return supplyView(request, deps.clock.now());
}

export const acceptSupplyRequest = (deps: SupplyActionDeps, actor: Actor, id: string, b: z.output<typeof AcceptBody>) =>
  change(deps, actor, id, { to: 'accepted', quantities: b.quantities, expectedSeq: b.expectedSeq });

export async function assignSupplyRequest(deps: SupplyActionDeps, actor: Actor, id: string, b: z.output<typeof AssignBody>) {
  const r = await loadSupplyRequest(deps.models, id);
  const c = await deps.places.community(r.communityCode);
  const assignee = await assigneeFor(deps.models, b.assignee, { streetCode: c?.streetCode, communityCode: r.communityCode, buildingCode: r.buildingCode });
  return change(deps, actor, id, { to: 'assigned', assignee, quantities: b.quantities, expectedSeq: b.expectedSeq });
}

/** in transit, delivered: by the committee, or by the request's assignee. */
export const progressSupplyRequest =
  (to: Extract<SupplyStatus, 'in_transit' | 'delivered'>) => (deps: SupplyActionDeps, actor: Actor, id: string, b: z.output<typeof ProgressBody>) =>
    change(deps, actor, id, { to, expectedSeq: b.expectedSeq });

/** rejected, cancelled: with the reason the resident is told. */
export const closeSupplyRequest =
  (to: Extract<SupplyStatus, 'rejected' | 'cancelled'>) => (deps: SupplyActionDeps, actor: Actor, id: string, b: z.output<typeof ReasonBody>) =>
    change(deps, actor, id, { to, reason: b.reason, expectedSeq: b.expectedSeq });
