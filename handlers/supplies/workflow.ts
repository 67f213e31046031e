/**
 * Supply request statuses: `submitted → accepted → assigned → in_transit → delivered`, or
 * `rejected` / `cancelled` with a reason. Each change is an event appended under a unique
 * (request, seq) `_id` — of two staff acting at once exactly one wins (409 for the other; FerretDB
 * 1.x conditional updates are not atomic, unique inserts are) — and the request document is then
 * brought up to date from the event. A reader finding the document behind its events replays
 * them (`loadRequest`). Every event but the creation notifies the resident once (a job keyed by
 * the event id).
 */
import type { Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import { derivedId } from '../../models/ids.js';
import type { SupplyAssignee, SupplyQuantity, SupplyRequest, SupplyRequestEvent, SupplyStatus } from '../../models/supply-request.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports.js';

export const supplyEventIdFor = (requestId: Types.ObjectId | string, seq: number) => derivedId('supply-event', requestId, seq);

/** Which status may follow which. */
export const NEXT_STATUSES: Record<SupplyStatus, readonly SupplyStatus[]> = {
  submitted: ['accepted', 'rejected', 'cancelled'],
  accepted: ['assigned', 'in_transit', 'delivered', 'rejected', 'cancelled'],
  assigned: ['assigned', 'in_transit', 'delivered', 'cancelled'],
  in_transit: ['delivered', 'cancelled'],
  delivered: [],
  rejected: [],
  cancelled: [],
};

export interface SupplyDeps {
  models: Models;
  clock: Clock;
  /** Queue the resident's notification of one event (idempotent per event). */
  notifyEvent(eventId: string): Promise<void>;
}

export interface StatusChange {
  to: SupplyStatus;
  reason?: string;
  assignee?: SupplyAssignee;
  /** Packed quantities (accept, assign): they replace the request's. */
  quantities?: SupplyQuantity[];
  /** The request's `seq` the actor saw: a change made meanwhile answers 409 instead of being overwritten. */
  expectedSeq?: number;
}

export interface ChangeActor {
  id: string;
  name: string;
}

/** The request with every appended event applied (replaying any a crashed writer left behind). */
export async function loadRequest(models: Models, id: string): Promise<SupplyRequest | null> {
  if (!/^[0-9a-f]{24}$/i.test(id)) return null;
  let r = await models.SupplyRequest.findById(id).lean<SupplyRequest>();
  if (!r) return null;
  for (;;) {
    const e: SupplyRequestEvent | null = await models.SupplyRequestEvent.findById(supplyEventIdFor(r._id, r.seq + 1)).lean<SupplyRequestEvent>();
    if (!e) return r;
    await apply(models, r, e);
    r = { ...r, ...projection(e) };
  }
}

function projection(e: SupplyRequestEvent): Partial<SupplyRequest> {
  return {
    status: e.to,
    seq: e.seq,
    updatedAt: e.at,
    ...(e.assignee !== undefined && e.assignee !== null ? { assignee: e.assignee } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.quantities?.length ? { quantities: e.quantities } : {}),
  };
}

async function apply(models: Models, r: SupplyRequest, e: SupplyRequestEvent): Promise<void> {
  await models.SupplyRequest.updateOne({ _id: r._id, seq: e.seq - 1 }, { $set: projection(e) });
}

export async function changeSupplyStatus(
  deps: SupplyDeps,
  id: string,
  change: StatusChange,
  actor: ChangeActor,
): Promise<{ request: SupplyRequest; event: SupplyRequestEvent }> {
  const r = await loadRequest(deps.models, id);
  if (!r) throw notFound(`supply request ${id}`);
  if (change.expectedSeq !== undefined && change.expectedSeq !== r.seq)
    throw new AppError('conflict_state', `the request changed meanwhile (now at ${r.seq}, you saw ${change.expectedSeq})`);
  if (!NEXT_STATUSES[r.status].includes(change.to)) throw new AppError('conflict_state', `a ${r.status} request cannot become ${change.to}`);
  if ((change.to === 'rejected' || change.to === 'cancelled') && !change.reason?.trim()) throw invalid('a reason is required', { field: 'reason' });
  if (change.to === 'assigned' && !change.assignee) throw invalid('an assignee is required', { field: 'assignee' });
  const seq = r.seq + 1;
  const event: SupplyRequestEvent = {
    _id: supplyEventIdFor(r._id, seq),
    requestId: r._id,
    seq,
    from: r.status,
    to: change.to,
    actorId: actor.id,
    actorName: actor.name,
    at: deps.clock.now(),
    ...(change.reason ? { reason: change.reason.trim() } : {}),
    assignee: change.assignee ?? null,
    ...(change.quantities?.length ? { quantities: change.quantities } : {}),
    notifiedAt: null,
  };
  try {
    await deps.models.SupplyRequestEvent.create(event);
  } catch (err) {
    if ((err as { code?: number }).code === 11000)
      throw new AppError('conflict_state', 'someone else changed this request at the same moment; reload and try again');
    throw err;
  }
  await apply(deps.models, r, event);
  await deps.notifyEvent(String(event._id));
  return { request: { ...r, ...projection(event) }, event };
}
