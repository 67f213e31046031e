/**
 * `GET /api/health-reports/missing`: the households whose residents have not all reported on a
 * local day (each community's own today by default), so the committee knows which doors to knock
 * on — including roster households where nobody has registered yet (often the elderly without
 * WeChat). A household counts as reported when every registered, subscribed member reported.
 */
import { z } from 'zod';
import type { Household } from '../../models/household.js';
import { householdIdFor } from '../../models/household.js';
import type { HealthReport } from '../../models/health-report.js';
import { placeFilter, RESIDENT_PLACE } from '../places/place-filter.js';
import type { Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import { dayFilter, todayIn, type HealthPlaceQuery, type HealthReadDeps } from './report-queries.js';

export const MissingHousehold = z
  .object({
    householdId: z.string(),
    community: z.string(),
    building: z.string(),
    unit: z.string(),
    room: z.string(),
    /** `roster` (imported by the committee) or `chat` (made by a resident's registration). */
    source: z.enum(['roster', 'chat']),
    registered: z.number().int().meta({ description: 'registered, subscribed residents of the household' }),
    reported: z.number().int(),
    notReported: z.array(z.string()).meta({ description: 'ids of the residents who have not reported' }),
  })
  .meta({ id: 'MissingHousehold' });

export const MissingReports = z
  .object({
    days: z.array(z.object({ community: z.string(), date: z.string() })),
    summary: z.object({
      households: z.number().int(),
      reportedHouseholds: z.number().int(),
      missingHouseholds: z.number().int(),
      residents: z.number().int(),
      reportedResidents: z.number().int(),
    }),
    households: z.array(MissingHousehold),
  })
  .meta({ id: 'MissingReports' });

type ResidentRow = { _id: unknown; householdId?: unknown; registration: { communityCode: string; buildingCode?: string; unit?: string; room?: string } };
type Row = z.input<typeof MissingHousehold>;

export async function missingReports(deps: HealthReadDeps, actor: Actor, q: z.output<typeof HealthPlaceQuery>): Promise<z.input<typeof MissingReports>> {
  const place = await placeFilter(deps.places, actor, q);
  const where = place.where();
  const now = deps.clock.now();
  const days = place.communities.map((c) => ({ community: c.code, date: q.date ?? todayIn(c, now) }));
  const [households, residents, reports] = where
    ? await Promise.all([
        deps.models.Household.find(where).lean<Household[]>(),
        deps.models.Resident.find({ ...place.where(RESIDENT_PLACE), subscribed: { $ne: false } }, { householdId: 1, registration: 1 }).lean<ResidentRow[]>(),
        deps.models.HealthReport.find({ ...where, ...dayFilter(place.communities, q.date, now) }, { residentId: 1 }).lean<Pick<HealthReport, 'residentId'>[]>(),
      ])
    : [[], [], []];
  const reported = new Set(reports.map((r) => String(r.residentId)));
  const rows = new Map<string, Row>();
  for (const h of households) {
    rows.set(String(h._id), {
      householdId: String(h._id),
      community: h.communityCode,
      building: h.buildingCode,
      unit: h.unit ?? '',
      room: h.room,
      source: h.source,
      registered: 0,
      reported: 0,
      notReported: [],
    });
  }
  for (const r of residents) {
    const reg = r.registration;
    if (!reg?.buildingCode || !reg.room) continue; // not fully registered: belongs to no household yet
    const key = String(r.householdId ?? householdIdFor(reg.communityCode, reg.buildingCode, reg.unit, reg.room));
    let row = rows.get(key);
    if (!row) {
      row = {
        householdId: key,
        community: reg.communityCode,
        building: reg.buildingCode,
        unit: reg.unit ?? '',
        room: reg.room,
        source: 'chat',
        registered: 0,
        reported: 0,
        notReported: [],
      };
      rows.set(key, row);
    }
    row.registered++;
    if (reported.has(String(r._id))) row.reported++;
    else row.notReported.push(String(r._id));
  }
  const all = [...rows.values()];
  const missing = all
    .filter((h) => h.registered === 0 || h.reported < h.registered)
    .sort(
      (a, b) =>
        `${a.community}/${a.building}/${a.unit}`.localeCompare(`${b.community}/${b.building}/${b.unit}`) ||
        a.room.localeCompare(b.room, 'en', { numeric: true }),
    );
  const summary = {
    households: all.length,
    reportedHouseholds: all.length - missing.length,
    missingHouseholds: missing.length,
    residents: all.reduce((n, h) => n + h.registered, 0),
    reportedResidents: all.reduce((n, h) => n + h.reported, 0),
  };
  await logAccess(deps, actor, 'health_missing', q, missing.length);
  return { days, summary, households: missing };
}
