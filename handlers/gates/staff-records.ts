/**
 * What staff see of the gates: a day's log by gate and hour, outings per household, and who is
 * out right now (the last granted pass of each person is `out`), plus visitors still inside.
 * Scoped like everything else: a building's account (a property company looking after one
 * building's gate) sees that building's gates only. Visitors' mobiles are shown in full to the
 * roles that see full mobiles (the committee), masked to others; every read is access-logged.
 */
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import type { GatePresence, GateRecord } from '../../models/gate.js';
import { maskMobile } from '../../flows/engine/phone.js';
import { localDate } from '../../flows/engine/time.js';
import { notFound } from '../errors.js';
import type { Clock } from '../ports.js';
import type { Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import { FULL_MOBILE_ROLES } from '../staff/data-roles.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { PlaceQuery, RecordsQuery } from './schemas.js';

export interface GateRecordDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

const visitorView = (v: GateRecord['visitor'], actor: Actor) =>
  v ? { name: v.name, mobile: FULL_MOBILE_ROLES.includes(actor.role) ? v.mobile : maskMobile(v.mobile), host: v.host, purpose: v.purpose } : null;
const home = (r: { buildingCode?: string; unit?: string; room?: string }) =>
  r.buildingCode ? { building: r.buildingCode, unit: r.unit ?? null, room: r.room ?? null } : null;

async function timeZoneOf(deps: GateRecordDeps, code: string): Promise<string> {
  const c = await deps.places.community(code);
  if (!c) throw notFound(`community "${code}"`);
  return c.timeZone;
}

export async function listGateRecords(deps: GateRecordDeps, actor: Actor, q: z.output<typeof RecordsQuery>) {
  const date = q.date ?? localDate(deps.clock.now(), await timeZoneOf(deps, q.community));
  const all = (await deps.models.GateRecord.find({ communityCode: q.community, date }).sort({ at: 1 }).lean<GateRecord[]>()).filter(
    (r) => (!q.building || r.gateBuildingCode === q.building) && (!q.gate || String(r.gateId) === q.gate),
  );
  const byGateHour = new Map<string, { gate: string; gateName: string; hour: string; out: number; in: number; refused: number }>();
  const households = new Map<string, { household: string; building: string | null; unit: string | null; room: string | null; outings: number }>();
  for (const r of all) {
    const k = `${String(r.gateId)}|${r.hour}`;
    const row = byGateHour.get(k) ?? { gate: String(r.gateId), gateName: r.gateName, hour: r.hour, out: 0, in: 0, refused: 0 };
    if (r.status === 'refused') row.refused++;
    else row[r.direction]++;
    byGateHour.set(k, row);
    if (r.status === 'granted' && r.direction === 'out' && !r.visitor) {
      const h = households.get(r.householdKey) ?? { household: r.householdKey, ...(home(r) ?? { building: null, unit: null, room: null }), outings: 0 };
      h.outings++;
      households.set(r.householdKey, h);
    }
  }
  const shown = all.filter((r) => !q.hour || r.hour === q.hour).reverse();
  await logAccess(deps, actor, 'gate_records', q, Math.min(shown.length, q.limit));
  return {
    community: q.community,
    date,
    total: all.length,
    refused: all.filter((r) => r.status === 'refused').length,
    byGateHour: [...byGateHour.values()].sort((a, b) => a.gateName.localeCompare(b.gateName) || a.hour.localeCompare(b.hour)),
    outingsByHousehold: [...households.values()].sort((a, b) => b.outings - a.outings),
    records: shown.slice(0, q.limit).map((r) => ({
      id: String(r._id),
      gate: String(r.gateId),
      gateName: r.gateName,
      direction: r.direction,
      status: r.status,
      reason: r.reason ?? null,
      passCode: r.passCode ?? null,
      at: r.at,
      hour: r.hour,
      resident: r.visitor ? null : home(r),
      visitor: visitorView(r.visitor, actor),
      afterHours: !!r.afterHours,
      outing: r.outing ?? null,
    })),
  };
}

export async function outNow(deps: GateRecordDeps, actor: Actor, q: z.output<typeof PlaceQuery>) {
  const tz = await timeZoneOf(deps, q.community);
  const now = deps.clock.now();
  const today = localDate(now, tz);
  const all = (await deps.models.GatePresence.find({ communityCode: q.community }).lean<GatePresence[]>()).filter(
    (p) => !q.building || p.gateBuildingCode === q.building,
  );
  const out = all
    .filter((p) => p.state === 'out' && !p.visitor)
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((p) => ({
      resident: String(p._id),
      ...(home(p) ?? { building: null, unit: null, room: null }),
      gateName: p.gateName,
      passCode: p.passCode,
      since: p.at,
      hoursOut: Math.round(((now.getTime() - p.at.getTime()) / 3_600_000) * 10) / 10,
    }));
  const visitorsInside = all
    .filter((p) => p.state === 'in' && p.visitor && p.date === today)
    .map((p) => ({ visitor: visitorView(p.visitor, actor), gateName: p.gateName, passCode: p.passCode, since: p.at }));
  await logAccess(deps, actor, 'gate_records', { ...q, view: 'out-now' }, out.length + visitorsInside.length);
  return { community: q.community, at: now, out, visitorsInside };
}
