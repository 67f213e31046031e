/**
 * `GET /api/situation`: the figures of the console's situation page, all counts, in the caller's
 * scope — health reports by risk over the last 14 local days, red/yellow by building today,
 * households not yet reported, open supply requests by priority and age, volunteer task fill,
 * pending rumour claims by ask count (platform-wide, as claims are), notice delivery figures.
 * Each part is one scan of its collection (FerretDB has no index but `_id`).
 */
import { subDays } from 'date-fns';
import { z } from 'zod';
import type { HealthReport } from '../../models/health-report.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import type { TaskSignup, VolunteerTask } from '../../models/volunteer-task.js';
import { localDate } from '../../flows/engine/time.js';
import { OPEN_SUPPLY_STATUSES } from '../../flows/supplies/priority.js';
import { missingReports } from '../health/missing-reports.js';
import type { HealthReadDeps } from '../health/report-queries.js';
import { getNotice, listNotices, type LiveProgress } from '../notices/queries.js';
import { placeFilter } from '../places/place-filter.js';
import { priorityOf } from '../supplies/staff-queries.js';
import type { Actor } from '../staff/access.js';
import { askCounts } from '../rumors/claims.js';
import type { Claim } from '../../models/claim.js';
import { ageBand, priorityBand } from './supply-bands.js';

const count = z.number().int();
export const SituationQuery = z.strictObject({
  community: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .optional(),
});
export const Situation = z
  .object({
    generatedAt: z.date(),
    today: z.string().meta({ description: 'the local day of "today" (the first community’s time zone)' }),
    reportsByDay: z.array(z.object({ date: z.string(), green: count, yellow: count, red: count })),
    buildingsToday: z.array(z.object({ community: z.string(), building: z.string(), yellow: count, red: count })),
    households: z.object({ total: count, reported: count, missing: count }),
    supplies: z.array(z.object({ priority: z.enum(['high', 'medium', 'low']), under1d: count, from1to3d: count, over3d: count })),
    tasks: z.array(z.object({ id: z.string(), code: z.string(), title: z.string(), slots: count, confirmed: count, waitlisted: count })),
    claims: z.array(z.object({ id: z.string(), text: z.string(), asks: count })),
    notices: z.array(
      z.object({ id: z.string(), title: z.string(), status: z.string(), total: count, sent: count, failed: count, pending: count, cancelled: count }),
    ),
  })
  .meta({ id: 'Situation' });
export type SituationView = z.input<typeof Situation>;

export interface SituationDeps extends HealthReadDeps {
  liveProgress: LiveProgress;
}

/** The ten most asked pending claims. */
async function pendingClaims(deps: SituationDeps): Promise<SituationView['claims']> {
  const claims = await deps.models.Claim.find({ status: 'pending' }, { text: 1 }).lean<Pick<Claim, '_id' | 'text'>[]>();
  const asks = await askCounts(
    deps,
    claims.map((c) => String(c._id)),
  );
  return claims
    .map((c) => ({ id: String(c._id), text: c.text, asks: asks.get(String(c._id)) ?? 0 }))
    .sort((a, b) => b.asks - a.asks)
    .slice(0, 10);
}

export async function situation(deps: SituationDeps, actor: Actor, q: z.output<typeof SituationQuery>): Promise<SituationView> {
  const now = deps.clock.now();
  const place = await placeFilter(deps.places, actor, q);
  const where = place.where();
  const tz = place.communities[0]?.timeZone ?? 'Asia/Shanghai';
  const today = localDate(now, tz);
  const days = Array.from({ length: 14 }, (_, i) => localDate(subDays(now, 13 - i), tz));
  const none = where === null;
  const [reports, requests, tasks, missing, notices, claims] = await Promise.all([
    none
      ? []
      : deps.models.HealthReport.find({ ...where, date: { $gte: days[0], $lte: today } }, { date: 1, risk: 1, communityCode: 1, buildingCode: 1 }).lean<
          HealthReport[]
        >(),
    none ? [] : deps.models.SupplyRequest.find({ ...where, status: { $in: OPEN_SUPPLY_STATUSES } }).lean<SupplyRequest[]>(),
    none
      ? []
      : deps.models.VolunteerTask.find({ ...where, status: 'open', endsAt: { $gt: now } })
          .sort({ startsAt: 1 })
          .limit(20)
          .lean<VolunteerTask[]>(),
    missingReports(deps, actor, q),
    listNotices(deps.models, actor, { limit: 30, ...(q.community ? { community: q.community } : {}) }),
    pendingClaims(deps),
  ]);

  const byDay = new Map(days.map((d) => [d, { date: d, green: 0, yellow: 0, red: 0 }]));
  const byBuilding = new Map<string, { community: string; building: string; yellow: number; red: number }>();
  for (const r of reports) {
    const day = byDay.get(r.date);
    if (day) day[r.risk]++;
    if (r.date !== today || r.risk === 'green') continue;
    const key = `${r.communityCode}/${r.buildingCode}`;
    const b = byBuilding.get(key) ?? { community: r.communityCode, building: r.buildingCode, yellow: 0, red: 0 };
    b[r.risk]++;
    byBuilding.set(key, b);
  }

  const bands = {
    high: { under1d: 0, from1to3d: 0, over3d: 0 },
    medium: { under1d: 0, from1to3d: 0, over3d: 0 },
    low: { under1d: 0, from1to3d: 0, over3d: 0 },
  };
  for (const r of requests) bands[priorityBand(priorityOf(r, now))][ageBand(r.createdAt, now)]++;

  const signups = tasks.length
    ? await deps.models.TaskSignup.find({ taskId: { $in: tasks.map((t) => t._id) } }, { taskId: 1, status: 1 }).lean<TaskSignup[]>()
    : [];
  const taskRows = tasks.map((t) => {
    const mine = signups.filter((s) => String(s.taskId) === String(t._id));
    return {
      id: String(t._id),
      code: t.code,
      title: t.title,
      slots: t.slots,
      confirmed: mine.filter((s) => s.status === 'confirmed').length,
      waitlisted: mine.filter((s) => s.status === 'waitlisted').length,
    };
  });

  const sent = notices.notices.filter((n) => ['released', 'sending', 'completed', 'cancelled'].includes(n.status)).slice(0, 8);
  const noticeRows = await Promise.all(
    sent.map(async (n) => ({ id: n.id, title: n.title, status: n.status, ...(await getNotice(deps.models, n.id, deps.liveProgress)).progress })),
  );

  return {
    generatedAt: now,
    today,
    reportsByDay: [...byDay.values()],
    buildingsToday: [...byBuilding.values()].sort(
      (a, b) => b.red - a.red || b.yellow - a.yellow || a.building.localeCompare(b.building, 'en', { numeric: true }),
    ),
    households: { total: missing.summary.households, reported: missing.summary.reportedHouseholds, missing: missing.summary.missingHouseholds },
    supplies: (['high', 'medium', 'low'] as const).map((priority) => ({ priority, ...bands[priority] })),
    tasks: taskRows,
    claims,
    notices: noticeRows,
  };
}
