/**
 * A day's health report: stored (replacing the day's earlier one, which goes to the revisions),
 * checked for scripted check-ins, and — when yellow or red — an alert for the building's staff.
 */
import { Types } from 'mongoose';
import { alertIdFor } from '../../../models/alert.js';
import { healthReportIdFor, type HealthReport } from '../../../models/health-report.js';
import { localDate, localTime, shiftDate } from '../../../flows/engine/time.js';
import { looksAutomated, AUTOMATION_DAYS, type SentReport } from '../../../flows/health/automation.js';
import { assessRisk, type HealthAnswers } from '../../../flows/health/risk.js';
import type { EffectHandler } from './ports.js';

const secondOfDay = (at: Date, tz: string) => {
  const [h, m] = localTime(at, tz).split(':').map(Number);
  return h! * 3600 + m! * 60 + at.getUTCSeconds();
};

export const submitHealthReport: EffectHandler<'submitHealthReport'> = async (deps, e, { resident, now, timeZone, key }) => {
  const r = resident.registration;
  if (!r?.buildingCode) throw new Error('a health report needs a registered building');
  const date = localDate(now, timeZone);
  const _id = healthReportIdFor(resident.id, date);
  const existing = await deps.models.HealthReport.findById(_id).lean<HealthReport & { sourceKey?: string }>();
  if (existing?.sourceKey === key) return { level: existing.risk };
  const risk = assessRisk(e.answers);
  // Earlier days, for the scripted check-in test (by _id: one indexed read each).
  const earlier = await Promise.all(
    Array.from({ length: AUTOMATION_DAYS - 1 }, (_, i) =>
      deps.models.HealthReport.findById(healthReportIdFor(resident.id, shiftDate(date, -(i + 1)))).lean<HealthReport>(),
    ),
  );
  const sent = (x: HealthReport): SentReport => ({ date: x.date, secondOfDay: secondOfDay(x.submittedAt, timeZone), answers: x as unknown as HealthAnswers });
  const history = [{ date, secondOfDay: secondOfDay(now, timeZone), answers: e.answers }, ...earlier.filter((x): x is HealthReport => !!x).map(sent)];
  const report = {
    _id,
    residentId: new Types.ObjectId(resident.id),
    ...(resident.householdId ? { householdId: new Types.ObjectId(resident.householdId) } : {}),
    communityCode: r.communityCode,
    buildingCode: r.buildingCode,
    ...(r.room ? { room: r.room } : {}),
    date,
    ...e.answers,
    risk: risk.level,
    reasons: risk.reasons,
    reusedYesterday: e.reusedYesterday,
    submittedAt: now,
    revision: (existing?.revision ?? 0) + 1,
    suspectedAutomation: looksAutomated(history),
    sourceKey: key,
  };
  if (existing) {
    const { _id: reportId, ...old } = existing;
    await deps.models.HealthReportRevision.collection.insertOne({ ...old, reportId });
  }
  await deps.models.HealthReport.collection.replaceOne({ _id }, report, { upsert: true });
  return { level: risk.level };
};

export const raiseHealthAlert: EffectHandler<'raiseHealthAlert'> = async (deps, e, { resident, now, timeZone }) => {
  const r = resident.registration;
  if (!r?.buildingCode) return undefined;
  const date = localDate(now, timeZone);
  const _id = alertIdFor(resident.id, date, e.level);
  try {
    await deps.models.Alert.create({
      _id,
      kind: 'health',
      level: e.level,
      reasons: e.reasons,
      residentId: resident.id,
      reportId: healthReportIdFor(resident.id, date),
      communityCode: r.communityCode,
      buildingCode: r.buildingCode,
      ...(r.room ? { room: r.room } : {}),
      date,
      createdAt: now,
    });
  } catch (err) {
    // At most one alert per resident per day per level: the second report of the day adds none.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  // Queued again if it exists (a retry after a failure in between): the job id makes it one job.
  await deps.jobs.notifyAlert(String(_id));
  return undefined;
};
