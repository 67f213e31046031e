/**
 * Supply requests for staff, in triage order: open requests by `supplyPriority` computed now (so
 * a request climbs as it waits), then closed ones, newest first. Social organisation and property
 * accounts see only the requests assigned to them. Reads are access-logged: requests carry
 * addresses and vulnerable flags.
 */
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import type { SupplyRequest, SupplyRequestEvent } from '../../models/supply-request.js';
import { isOpenSupplyStatus, SUPPLY_STATUSES, supplyPriority } from '../../flows/supplies/priority.js';
import { maskMobile } from '../../flows/engine/phone.js';
import { AppError, notFound } from '../errors.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import { placeFilter } from '../places/place-filter.js';
import type { Actor, ScopeTarget } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import { FULL_MOBILE_ROLES } from '../staff/data-roles.js';
import { loadRequest } from './workflow.js';
import type { SupplyEventView, SupplyListQuery, SupplyRequestDetail, SupplyRequestView } from './staff-schemas.js';

export interface SupplyReadDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

/** Roles that see only what is assigned to them. */
export const ASSIGNEE_ROLES = ['social_org', 'property'] as const;
const seesOnlyAssigned = (actor: Actor) => (ASSIGNEE_ROLES as readonly string[]).includes(actor.role);
const isAssignee = (actor: Actor, r: SupplyRequest) => r.assignee?.staffId === actor.id;

export const priorityOf = (r: SupplyRequest, now: Date): number | null =>
  isOpenSupplyStatus(r.status)
    ? supplyPriority({ urgency: r.urgency, category: r.category, vulnerable: r.vulnerable ?? [], createdAt: r.createdAt, now, stillNeeded: !!r.stillNeededAt })
    : null;

export const supplyView = (r: SupplyRequest, now: Date): z.input<typeof SupplyRequestView> => ({
  id: String(r._id),
  ticket: r.ticket,
  community: r.communityCode,
  building: r.buildingCode,
  room: r.room ?? null,
  residentId: String(r.residentId),
  category: r.category,
  items: r.items,
  quantities: r.quantities ?? [],
  urgency: r.urgency,
  address: r.address,
  vulnerable: r.vulnerable ?? [],
  status: r.status,
  seq: r.seq,
  assignee: r.assignee ?? null,
  reason: r.reason ?? null,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  stillNeededAt: r.stillNeededAt ?? null,
  priority: priorityOf(r, now),
});

/**
 * Open requests first, by priority now (all of them are read and sorted: priority moves with
 * time, so no index can hold the order — the open workload of a scope is what staff work through);
 * then closed ones, most recently changed first, read a page at a time (they only pile up).
 */
export async function listSupplyRequests(deps: SupplyReadDeps, actor: Actor, q: z.output<typeof SupplyListQuery>) {
  const where = (await placeFilter(deps.places, actor, q)).where();
  const now = deps.clock.now();
  let open: SupplyRequest[] = [];
  let closed: SupplyRequest[] = [];
  let closedTotal = 0;
  if (where) {
    const base: Record<string, unknown> = { ...where };
    if (q.category) base.category = q.category;
    if (q.assignee === 'none') base.assignee = null;
    else if (q.assignee) base['assignee.staffId'] = q.assignee === 'me' ? actor.id : q.assignee;
    if (seesOnlyAssigned(actor)) base.$and = [{ 'assignee.staffId': actor.id }];
    const wanted = SUPPLY_STATUSES.filter((s) => (!q.status || s === q.status) && (q.open === undefined || isOpenSupplyStatus(s) === q.open));
    const openStatuses = wanted.filter(isOpenSupplyStatus);
    const closedStatuses = wanted.filter((s) => !isOpenSupplyStatus(s));
    if (openStatuses.length) open = await deps.models.SupplyRequest.find({ ...base, status: { $in: openStatuses } }).lean<SupplyRequest[]>();
    open.sort((a, b) => priorityOf(b, now)! - priorityOf(a, now)! || a.createdAt.getTime() - b.createdAt.getTime());
    const closedFilter = { ...base, status: { $in: closedStatuses } };
    closedTotal = closedStatuses.length ? await deps.models.SupplyRequest.countDocuments(closedFilter) : 0;
    const room = q.limit - Math.max(0, Math.min(q.limit, open.length - q.offset));
    if (room > 0 && closedTotal > 0)
      closed = await deps.models.SupplyRequest.find(closedFilter)
        .sort({ updatedAt: -1, _id: -1 })
        .skip(Math.max(0, q.offset - open.length))
        .limit(room)
        .lean<SupplyRequest[]>();
  }
  const page = [...open.slice(q.offset, q.offset + q.limit), ...closed];
  const total = open.length + closedTotal;
  await logAccess(deps, actor, 'supply_requests', q, page.length);
  return { requests: page.map((r) => supplyView(r, now)), total, next: q.offset + q.limit < total ? q.offset + q.limit : null };
}

/** The request (its events replayed) or 404. */
export async function loadSupplyRequest(models: Models, id: string): Promise<SupplyRequest> {
  const r = await loadRequest(models, id);
  if (!r) throw notFound('supply request');
  return r;
}

/** Where a request lives, for the route's scope check. */
export async function supplyScope(deps: SupplyReadDeps, id: string): Promise<ScopeTarget> {
  const r = await loadSupplyRequest(deps.models, id);
  const c = await deps.places.community(r.communityCode);
  return { streetCode: c?.streetCode, communityCode: r.communityCode, buildingCode: r.buildingCode };
}

/** Social organisation and property accounts act only on requests assigned to them (403 not_assignee). */
export function requireAssignee(actor: Actor, r: SupplyRequest): void {
  if (seesOnlyAssigned(actor) && !isAssignee(actor, r)) throw new AppError('not_assignee', `request ${r.ticket} is not assigned to you`);
}

const eventView = (e: SupplyRequestEvent): z.input<typeof SupplyEventView> => ({
  seq: e.seq,
  from: e.from,
  to: e.to,
  actor: { id: e.actorId, name: e.actorName },
  at: e.at,
  reason: e.reason ?? null,
  assignee: e.assignee ?? null,
  quantities: e.quantities ?? null,
  notifiedAt: e.notifiedAt ?? null,
});

/**
 * `GET /api/supply-requests/:id`: the request, its status history and the resident's mobile —
 * in full for the committee and the request's assignee (who phone or deliver; access-logged),
 * masked for everyone else.
 */
export async function getSupplyRequest(deps: SupplyReadDeps, actor: Actor, id: string): Promise<z.input<typeof SupplyRequestDetail>> {
  const r = await loadSupplyRequest(deps.models, id);
  requireAssignee(actor, r);
  const events = await deps.models.SupplyRequestEvent.find({ requestId: r._id }).sort({ seq: 1 }).lean<SupplyRequestEvent[]>();
  const resident = await deps.models.Resident.findById(r.residentId, { mobile: 1 }).lean<{ mobile?: string }>();
  const full = FULL_MOBILE_ROLES.includes(actor.role) || isAssignee(actor, r);
  const mobile = resident?.mobile ? (full ? resident.mobile : (maskMobile(resident.mobile) ?? null)) : null;
  if (full && resident?.mobile) await logAccess(deps, actor, 'resident_mobile', { supplyRequest: String(r._id), ticket: r.ticket }, 1);
  return { ...supplyView(r, deps.clock.now()), events: events.map(eventView), contact: { mobile, masked: !full } };
}
