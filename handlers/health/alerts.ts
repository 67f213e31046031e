/**
 * Health alerts for staff — a yellow or red report (`health`), a missed report under home
 * observation (`observation`); gate alerts live in the gate log — list them (newest first,
 * access-logged) and acknowledge one — "I am on it" — once. Two staff acknowledging at the same moment are told apart by a short lease, so
 * exactly one is recorded and the other gets 409 naming who it was.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../../models/alert.js';
import { AppError, notFound } from '../errors.js';
import { buildingCode, localDay, objectId, pageLimit, placeCode, queryFlag, text } from '../input.js';
import { newestFirst } from '../paging.js';
import type { Leases } from '../ports.js';
import { placeFilter } from '../places/place-filter.js';
import type { Actor, ScopeTarget } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import type { HealthReadDeps } from './report-queries.js';

export interface AlertDeps extends HealthReadDeps {
  leases: Leases;
}

export const AlertQuery = z.strictObject({
  date: localDay.optional(),
  community: placeCode.optional(),
  building: buildingCode.optional(),
  level: z.enum(['yellow', 'red']).optional(),
  kind: z.enum(['health', 'observation']).optional().meta({ description: 'a report’s alert, or a missed report under home observation; both when absent' }),
  acknowledged: queryFlag.optional().meta({ description: 'false: only alerts nobody has acknowledged yet' }),
  limit: pageLimit(50, 500),
  before: objectId.optional().meta({ description: 'the `next` of the previous page' }),
});
export const AcknowledgeBody = z.strictObject({ note: text(500).optional() });

const person = z.object({ id: z.string(), name: z.string() });
export const AlertView = z
  .object({
    id: z.string(),
    kind: z.enum(['health', 'observation']),
    level: z.enum(['yellow', 'red']).nullable().meta({ description: 'health alerts' }),
    reasons: z.array(z.string()),
    residentId: z.string(),
    reportId: z.string().nullable().meta({ description: 'health alerts' }),
    community: z.string(),
    building: z.string(),
    room: z.string().nullable(),
    date: z.string(),
    createdAt: z.date(),
    notifiedAt: z.date().nullable().meta({ description: 'when the building’s staff were told through WeCom' }),
    notifyProblem: z.string().nullable(),
    acknowledgedAt: z.date().nullable(),
    acknowledgedBy: person.nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'Alert' });
export const AlertList = z.object({ alerts: z.array(AlertView), next: z.string().nullable() }).meta({ id: 'AlertList' });

const view = (a: Alert): z.input<typeof AlertView> => ({
  id: String(a._id),
  kind: a.kind === 'observation' ? 'observation' : 'health',
  level: a.level ?? null,
  reasons: a.reasons,
  residentId: String(a.residentId),
  reportId: a.reportId ? String(a.reportId) : null,
  community: a.communityCode,
  building: a.buildingCode ?? '',
  room: a.room ?? null,
  date: a.date,
  createdAt: a.createdAt,
  notifiedAt: a.notifiedAt ?? null,
  notifyProblem: a.notifyProblem ?? null,
  acknowledgedAt: a.acknowledgedAt ?? null,
  acknowledgedBy: a.acknowledgedBy ? { id: a.acknowledgedBy, name: a.acknowledgedByName ?? '' } : null,
  note: a.note ?? null,
});

export async function listAlerts(deps: AlertDeps, actor: Actor, q: z.output<typeof AlertQuery>) {
  const where = (await placeFilter(deps.places, actor, q)).where();
  let page = { items: [] as Alert[], next: null as string | null };
  if (where) {
    const filter: Record<string, unknown> = { ...where };
    if (q.date) filter.date = q.date;
    if (q.level) filter.level = q.level;
    filter.kind = q.kind ?? { $in: ['health', 'observation'] };
    if (q.acknowledged !== undefined) filter.acknowledgedAt = q.acknowledged ? { $ne: null } : null;
    page = await newestFirst<Alert>(deps.models.Alert, filter, { timeField: 'createdAt', limit: q.limit, before: q.before });
  }
  await logAccess(deps, actor, 'alerts', q, page.items.length);
  return { alerts: page.items.map(view), next: page.next };
}

async function loadAlert(deps: HealthReadDeps, id: string): Promise<Alert> {
  const a = /^[0-9a-f]{24}$/i.test(id) ? await deps.models.Alert.findById(id).lean<Alert>() : null;
  if (!a) throw notFound('alert');
  return a;
}

/** Where an alert lives, for the route's scope check (404 when it does not exist). */
export async function alertScope(deps: HealthReadDeps, id: string): Promise<ScopeTarget> {
  const a = await loadAlert(deps, id);
  const c = await deps.places.community(a.communityCode);
  return { streetCode: c?.streetCode, communityCode: a.communityCode, buildingCode: a.buildingCode };
}

const already = (a: Alert) =>
  new AppError('conflict_state', `already acknowledged by ${a.acknowledgedByName ?? a.acknowledgedBy}`, {
    acknowledgedBy: { id: a.acknowledgedBy, name: a.acknowledgedByName },
    acknowledgedAt: a.acknowledgedAt,
  });

/** `POST /api/alerts/:id/acknowledge`: once; later (or concurrent) ones get 409 conflict_state. */
export async function acknowledgeAlert(deps: AlertDeps, actor: Actor, id: string, body: z.output<typeof AcknowledgeBody>) {
  const key = `alert-ack:${id}`;
  const owner = crypto.randomUUID();
  if (!(await deps.leases.acquire(key, owner, 10_000))) throw new AppError('conflict_state', 'someone else is acknowledging this alert right now');
  try {
    const a = await loadAlert(deps, id);
    if (a.acknowledgedAt) throw already(a);
    const set = { acknowledgedAt: deps.clock.now(), acknowledgedBy: actor.id, acknowledgedByName: actor.name, ...(body.note ? { note: body.note } : {}) };
    await deps.models.Alert.updateOne({ _id: a._id }, { $set: set });
    return view({ ...a, ...set });
  } finally {
    await deps.leases.release(key, owner);
  }
}
