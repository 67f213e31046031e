/**
 * Home observation, run every minute for each community at its local time: residents under
 * observation who have not reported today are reminded at each of the community's reminder times
 * (09:00 and 18:00 by default), on their last day they are told it ends, and a day that passes its
 * missed-report time without a report alerts the building's staff (once per resident and day; a
 * job that was down at that time catches up on yesterday).
 */
import type { Models } from '../../models/index.js';
import { healthReportIdFor } from '../../models/health-report.js';
import type { Observation } from '../../models/returnee.js';
import { derivedId } from '../../models/ids.js';
import { daysBetween, localDate, localTime, shiftDate } from '../../flows/engine/time.js';
import { isDuplicateKey } from '../gates/pass-code.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';
import type { PlaceCommunity, PlaceDirectory } from '../places/directory.js';
import type { Clock } from '../ports.js';
import { loadRules } from '../rules/community-rules.js';

export interface ObservationDeps {
  models: Models;
  places: PlaceDirectory;
  bulk: BulkMessages;
  clock: Clock;
  notifyAlert(alertId: string): Promise<void>;
}

export const OBSERVATION_REMINDER = 'observation-reminder';
export const OBSERVATION_LAST_DAY = 'observation-last-day';

export interface ObservationRun {
  community: string;
  reminded: number;
  lastDay: number;
  alerts: number;
}

const reported = async (models: Models, residentId: unknown, date: string) =>
  !!(await models.HealthReport.exists({ _id: healthReportIdFor(String(residentId), date) }));

async function alertMissed(deps: ObservationDeps, c: PlaceCommunity, o: Observation, date: string, now: Date): Promise<boolean> {
  const _id = derivedId('observation-missed', o.residentId, date);
  const building = c.buildings.find((b) => b.code === o.buildingCode)?.name ?? o.buildingCode ?? '';
  const room = o.unit ? `${o.unit}-${o.room ?? ''}` : (o.room ?? '');
  const message = {
    key: 'returnees:alert_wecom',
    params: { community: c.name, building, room, from: o.from, day: daysBetween(o.startDate, date) + 1, days: o.days, date },
  };
  try {
    await deps.models.Alert.collection.insertOne({
      _id,
      kind: 'observation',
      reasons: ['missed_report'],
      residentId: o.residentId,
      communityCode: c.code,
      ...(o.buildingCode ? { buildingCode: o.buildingCode } : {}),
      ...(o.room ? { room } : {}),
      date,
      createdAt: now,
      notifiedAt: null,
      details: { message },
    } as never);
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  await deps.notifyAlert(String(_id));
  return true;
}

async function runCommunity(deps: ObservationDeps, c: PlaceCommunity, now: Date): Promise<ObservationRun | undefined> {
  const today = localDate(now, c.timeZone);
  const yesterday = shiftDate(today, -1);
  const time = localTime(now, c.timeZone);
  const all = await deps.models.Observation.find({ communityCode: c.code, endDate: { $gte: yesterday } }).lean<Observation[]>();
  if (!all.length) return undefined;
  const { observation: settings } = await loadRules(deps.models, c.code);
  const run: ObservationRun = { community: c.code, reminded: 0, lastDay: 0, alerts: 0 };
  const todays = all.filter((o) => o.startDate <= today && today <= o.endDate);
  const notYet = [];
  for (const o of todays) if (!(await reported(deps.models, o.residentId, today))) notYet.push(o);
  // The latest reminder time passed today (a job that was down does not send the earlier ones late).
  const due = settings.remindAt.reduce((last, at, i) => (time >= at ? i : last), -1);
  const ref = `${c.code}:${today}:${due}`;
  if (due >= 0 && !(await deps.bulk.exists(OBSERVATION_REMINDER, ref))) {
    const residentIds = notYet.map((o) => String(o.residentId));
    await deps.bulk.send({
      kind: OBSERVATION_REMINDER,
      ref,
      title: { key: 'returnees:reminder_title' },
      text: { key: 'returnees:reminder' },
      residentIds,
      urgent: true,
    });
    run.reminded += residentIds.length;
  }
  const ending = todays.filter((o) => o.endDate === today);
  const endRef = `${c.code}:${today}`;
  if (ending.length && time >= (settings.remindAt[0] ?? '09:00') && !(await deps.bulk.exists(OBSERVATION_LAST_DAY, endRef))) {
    const residentIds = ending.map((o) => String(o.residentId));
    await deps.bulk.send({
      kind: OBSERVATION_LAST_DAY,
      ref: endRef,
      title: { key: 'returnees:last_day_title' },
      text: { key: 'returnees:last_day' },
      residentIds,
    });
    run.lastDay = residentIds.length;
  }
  // Missed days: today once its time has passed, and yesterday (caught up after downtime).
  const missedDays = time >= settings.missedAt ? [today, yesterday] : [yesterday];
  for (const date of missedDays) {
    // (Only days after the return was registered: an arrival registered today owes no report for yesterday.)
    for (const o of all.filter((x) => x.startDate <= date && date <= x.endDate && localDate(x.createdAt, c.timeZone) <= date)) {
      if (date === today ? notYet.includes(o) : !(await reported(deps.models, o.residentId, date))) {
        if (await alertMissed(deps, c, o, date, now)) run.alerts++;
      }
    }
  }
  return run;
}

export async function runObservation(deps: ObservationDeps): Promise<ObservationRun[]> {
  const now = deps.clock.now();
  const out: ObservationRun[] = [];
  for (const c of await deps.places.communities()) {
    const r = await runCommunity(deps, c, now);
    if (r) out.push(r);
  }
  return out;
}
