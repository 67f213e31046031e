/**
 * `GET /api/health-reports`: the day's reports in the caller's scope, newest first, filtered by
 * building, risk and suspected automation. Every read is access-logged (who, the filter, how many).
 */
import { z } from 'zod';
import type { HealthReport } from '../../models/health-report.js';
import type { Models } from '../../models/index.js';
import { RISK_LEVELS } from '../../flows/health/risk.js';
import { localDate } from '../../flows/engine/time.js';
import { buildingCode, localDay, objectId, pageLimit, placeCode, queryFlag } from '../input.js';
import { newestFirst } from '../paging.js';
import type { Clock } from '../ports.js';
import { DEFAULT_TIME_ZONE, type PlaceCommunity, type PlaceDirectory } from '../places/directory.js';
import { placeFilter } from '../places/place-filter.js';
import type { Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';

export interface HealthReadDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

const placeQuery = {
  date: localDay.optional().meta({ description: "local day YYYY-MM-DD; default: today in each community's time zone" }),
  community: placeCode.optional(),
  building: buildingCode.optional(),
};
export const HealthPlaceQuery = z.strictObject(placeQuery);

export const HealthReportQuery = z.strictObject({
  ...placeQuery,
  risk: z.enum(RISK_LEVELS).optional(),
  suspected: queryFlag.optional().meta({ description: 'true: only reports that look scripted (identical answers at machine-regular times)' }),
  limit: pageLimit(100, 500),
  before: objectId.optional().meta({ description: 'the `next` of the previous page' }),
});

export const HealthReportView = z
  .object({
    id: z.string(),
    residentId: z.string(),
    householdId: z.string().nullable(),
    community: z.string(),
    building: z.string(),
    room: z.string().nullable(),
    date: z.string(),
    temperatureC: z.number(),
    symptoms: z.array(z.string()),
    test: z.string(),
    contact: z.boolean(),
    risk: z.enum(RISK_LEVELS),
    reasons: z.array(z.string()),
    reusedYesterday: z.boolean(),
    suspectedAutomation: z.boolean(),
    revision: z.number().int(),
    submittedAt: z.date(),
  })
  .meta({ id: 'HealthReport' });
export const HealthReportList = z.object({ reports: z.array(HealthReportView), next: z.string().nullable() }).meta({ id: 'HealthReportList' });

const view = (r: HealthReport): z.input<typeof HealthReportView> => ({
  id: String(r._id),
  residentId: String(r.residentId),
  householdId: r.householdId ? String(r.householdId) : null,
  community: r.communityCode,
  building: r.buildingCode,
  room: r.room ?? null,
  date: r.date,
  temperatureC: r.temperatureC,
  symptoms: r.symptoms,
  test: r.test,
  contact: r.contact,
  risk: r.risk,
  reasons: r.reasons,
  reusedYesterday: r.reusedYesterday,
  suspectedAutomation: !!r.suspectedAutomation,
  revision: r.revision,
  submittedAt: r.submittedAt,
});

/** A community's today, in its time zone. */
export const todayIn = (c: PlaceCommunity, now: Date) => localDate(now, c.timeZone);

/** The day filter: the given date, or each community's own today. */
export function dayFilter(communities: PlaceCommunity[], date: string | undefined, now: Date): Record<string, unknown> {
  if (date) return { date };
  const today = new Map(communities.map((c) => [c.code, todayIn(c, now)]));
  const days = new Set(today.values());
  if (days.size <= 1) return { date: [...days][0] ?? localDate(now, DEFAULT_TIME_ZONE) };
  return { $or: [...today].map(([communityCode, d]) => ({ communityCode, date: d })) };
}

export async function listHealthReports(deps: HealthReadDeps, actor: Actor, q: z.output<typeof HealthReportQuery>) {
  const place = await placeFilter(deps.places, actor, q);
  const where = place.where();
  let page = { items: [] as HealthReport[], next: null as string | null };
  if (where) {
    const filter: Record<string, unknown> = { ...where, ...dayFilter(place.communities, q.date, deps.clock.now()) };
    if (q.risk) filter.risk = q.risk;
    if (q.suspected !== undefined) filter.suspectedAutomation = q.suspected ? true : { $ne: true };
    page = await newestFirst<HealthReport>(deps.models.HealthReport, filter, { timeField: 'submittedAt', limit: q.limit, before: q.before });
  }
  await logAccess(deps, actor, 'health_reports', q, page.items.length);
  return { reports: page.items.map(view), next: page.next };
}
