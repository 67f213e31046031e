/**
 * Returnees for staff: who is under home observation now — day N of M, and whether today's health
 * report is in — or every registered return. Health data: the roles that look after residents'
 * health read it, scoped to their community or building, and every read is access-logged.
 */
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import { healthReportIdFor, type HealthReport } from '../../models/health-report.js';
import type { Observation, Returnee } from '../../models/returnee.js';
import { daysBetween, localDate } from '../../flows/engine/time.js';
import { notFound } from '../errors.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import type { ReturneesQuery, ReturneesView } from './schemas.js';

const home = (r: { buildingCode?: string; unit?: string; room?: string }) => ({ building: r.buildingCode ?? null, unit: r.unit ?? null, room: r.room ?? null });

export async function listReturnees(
  deps: { models: Models; places: PlaceDirectory; clock: Clock },
  actor: Actor,
  q: z.output<typeof ReturneesQuery>,
): Promise<z.input<typeof ReturneesView>> {
  const c = await deps.places.community(q.community);
  if (!c) throw notFound(`community "${q.community}"`);
  const today = localDate(deps.clock.now(), c.timeZone);
  const inBuilding = (r: { buildingCode?: string }) => !q.building || r.buildingCode === q.building;
  if (q.status === 'all') {
    const returns = (await deps.models.Returnee.find({ communityCode: q.community }).sort({ createdAt: -1 }).lean<Returnee[]>()).filter(inBuilding);
    await logAccess(deps, actor, 'returnees', q, Math.min(returns.length, q.limit));
    return {
      community: q.community,
      today,
      returnees: returns.slice(0, q.limit).map((r) => ({
        resident: String(r.residentId),
        ...home(r),
        from: r.from,
        arrivalDate: r.arrivalDate,
        transport: r.transport,
        riskArea: r.riskArea ?? null,
        observation: r.observation ?? null,
      })),
    };
  }
  const observing = (await deps.models.Observation.find({ communityCode: q.community, endDate: { $gte: today } }).lean<Observation[]>())
    .filter((o) => inBuilding(o) && o.startDate <= today)
    .sort((a, b) => a.endDate.localeCompare(b.endDate))
    .slice(0, q.limit);
  await logAccess(deps, actor, 'returnees', q, observing.length);
  const reports = await Promise.all(observing.map((o) => deps.models.HealthReport.findById(healthReportIdFor(o.residentId, today)).lean<HealthReport>()));
  return {
    community: q.community,
    today,
    observing: observing.map((o, i) => ({
      resident: String(o.residentId),
      ...home(o),
      from: o.from,
      riskArea: o.riskArea,
      startDate: o.startDate,
      endDate: o.endDate,
      day: daysBetween(o.startDate, today) + 1,
      days: o.days,
      today: reports[i] ? { reported: true, risk: reports[i]!.risk } : { reported: false, risk: null },
    })),
  };
}
