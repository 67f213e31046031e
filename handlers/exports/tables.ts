/**
 * What each export holds: one table per kind (health reports, supply requests, volunteers, notice
 * deliveries) for a range of local days, inside the caller's scope (the same place rules as the
 * lists: handlers/places/place-filter.ts). Health reports and volunteers' mobiles are personal
 * data: every export is written to the access log with its filter and row count.
 */
import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import type { Delivery } from '../../models/delivery-log.js';
import type { HealthReport } from '../../models/health-report.js';
import type { Models } from '../../models/index.js';
import type { Notice } from '../../models/notice.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import type { Volunteer } from '../../models/volunteer.js';
import { noticeDeliveries } from '../broadcast/records.js';
import { invalid } from '../errors.js';
import { localDay, placeCode } from '../input.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import { placeFilter } from '../places/place-filter.js';
import { inScope, type Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';

export const EXPORT_KINDS = ['health-reports', 'supply-requests', 'volunteers', 'deliveries'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
/** Beyond this many rows the export asks for a shorter range instead of building a huge file. */
export const MAX_EXPORT_ROWS = 50_000;
const MAX_DAYS = 92;

export const ExportQuery = z.strictObject({
  from: localDay.meta({ description: 'first local day, YYYY-MM-DD' }),
  to: localDay.meta({ description: 'last local day, YYYY-MM-DD (at most 92 days after from)' }),
  format: z.enum(['csv', 'xlsx']).default('csv'),
  community: placeCode.optional(),
});
export type ExportQueryInput = z.output<typeof ExportQuery>;

export interface ExportDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

type Cell = string | number | boolean | null;
export interface Table {
  /** Column keys in order, also the header row (English, stable for spreadsheets and scripts). */
  columns: string[];
  rows: Cell[][];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function dayRange(q: ExportQueryInput, timeZone: string): { start: Date; end: Date } {
  if (q.to < q.from) throw invalid('to is before from', { field: 'to', reason: 'before from' });
  const [fy, fm, fd] = q.from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = q.to.split('-').map(Number) as [number, number, number];
  const start = new TZDate(fy, fm - 1, fd, timeZone);
  const end = new TZDate(ty, tm - 1, td + 1, timeZone);
  if (end.getTime() - start.getTime() > MAX_DAYS * 86_400_000) throw invalid(`at most ${MAX_DAYS} days at a time`, { field: 'to', reason: 'range too long' });
  return { start: new Date(start.getTime()), end: new Date(end.getTime()) };
}

async function tooMany(n: number): Promise<void> {
  if (n > MAX_EXPORT_ROWS)
    throw invalid(`${n} rows: more than ${MAX_EXPORT_ROWS}; choose a shorter range or one community`, { field: 'from', reason: 'too many rows' });
}

export async function exportTable(deps: ExportDeps, actor: Actor, kind: ExportKind, q: ExportQueryInput): Promise<Table> {
  const place = await placeFilter(deps.places, actor, q);
  const where = place.where();
  const { start, end } = dayRange(q, place.communities[0]?.timeZone ?? 'Asia/Shanghai');
  let table: Table;
  if (kind === 'health-reports') {
    const rows = where
      ? await deps.models.HealthReport.find({ ...where, date: { $gte: q.from, $lte: q.to } })
          .sort({ date: 1 })
          .lean<HealthReport[]>()
      : [];
    await tooMany(rows.length);
    table = {
      columns: ['date', 'community', 'building', 'room', 'temperature_c', 'symptoms', 'test', 'contact', 'risk', 'reasons', 'revision', 'submitted_at'],
      rows: rows.map((r) => [
        r.date,
        r.communityCode,
        r.buildingCode,
        r.room ?? null,
        r.temperatureC,
        r.symptoms.join('; '),
        r.test,
        r.contact,
        r.risk,
        r.reasons.join('; '),
        r.revision,
        iso(r.submittedAt),
      ]),
    };
  } else if (kind === 'supply-requests') {
    const rows = where
      ? await deps.models.SupplyRequest.find({ ...where, createdAt: { $gte: start, $lt: end } })
          .sort({ createdAt: 1 })
          .lean<SupplyRequest[]>()
      : [];
    await tooMany(rows.length);
    table = {
      columns: [
        'ticket',
        'community',
        'building',
        'room',
        'category',
        'items',
        'urgency',
        'vulnerable',
        'status',
        'assignee',
        'reason',
        'address',
        'created_at',
        'updated_at',
      ],
      rows: rows.map((r) => [
        r.ticket,
        r.communityCode,
        r.buildingCode,
        r.room ?? null,
        r.category,
        r.items,
        r.urgency,
        (r.vulnerable ?? []).join('; '),
        r.status,
        r.assignee?.name ?? null,
        r.reason ?? null,
        r.address,
        iso(r.createdAt),
        iso(r.updatedAt),
      ]),
    };
  } else if (kind === 'volunteers') {
    const rows = where
      ? await deps.models.Volunteer.find({ ...where, appliedAt: { $gte: start, $lt: end } })
          .sort({ appliedAt: 1 })
          .lean<Volunteer[]>()
      : [];
    await tooMany(rows.length);
    table = {
      columns: [
        'name',
        'mobile',
        'skills',
        'availability',
        'area',
        'community',
        'building',
        'status',
        'round',
        'applied_at',
        'decided_at',
        'decided_by',
        'reason',
      ],
      rows: rows.map((v) => [
        v.name,
        v.mobile,
        v.skills.join('; '),
        v.availability.join('; '),
        v.area,
        v.communityCode,
        v.buildingCode ?? null,
        v.status,
        v.round,
        iso(v.appliedAt),
        iso(v.decidedAt),
        v.decidedBy?.name ?? null,
        v.reason ?? null,
      ]),
    };
  } else {
    table = await deliveryTable(
      deps.models,
      actor,
      place.communities.map((c) => c.code),
      start,
      end,
    );
  }
  await logAccess(deps, actor, `export:${kind}`, q, table.rows.length);
  return table;
}

/** Deliveries of the notices released in the range that the caller can see (as `GET /api/notices` would list them). */
async function deliveryTable(models: Models, actor: Actor, communities: string[], start: Date, end: Date): Promise<Table> {
  const notices = (await models.Notice.find({ releasedAt: { $gte: start, $lt: end } }, { title: 1, scope: 1, releasedAt: 1 }).lean<Notice[]>()).filter(
    (n) => inScope(actor, n.scope) && (!n.scope.communityCode || communities.includes(n.scope.communityCode)),
  );
  const byId = new Map(notices.map((n) => [String(n._id), n]));
  // Each notice's deliveries are its batches folded over their logs (read by `_id`, no scan).
  const rows: Delivery[] = [];
  for (const n of notices) {
    rows.push(...(await noticeDeliveries(models, String(n._id))));
    await tooMany(rows.length);
  }
  return {
    columns: ['notice_id', 'notice_title', 'released_at', 'openid', 'status', 'channel', 'attempts', 'errcode', 'fail_reason', 'sent_at'],
    rows: rows.map((d) => {
      const n = byId.get(String(d.noticeId))!;
      return [
        String(d.noticeId),
        n.title,
        iso(n.releasedAt),
        d.openid,
        d.status,
        d.channel ?? null,
        d.attempts,
        d.errcode ?? null,
        d.failReason ?? null,
        iso(d.sentAt),
      ];
    }),
  };
}
