/**
 * Automated check-ins: some people script their daily report. A run of identical answers sent at
 * the same second of the day, several days running, is flagged for staff to check in person — a
 * script keeps reporting 36.5 °C while its owner is ill. People are regular too, but not to the
 * minute, and their temperature wanders.
 */
import type { HealthAnswers } from './risk.js';

/** This many consecutive days of identical answers… */
export const AUTOMATION_DAYS = 4;
/** …sent within this spread of time of day (seconds). */
export const AUTOMATION_SPREAD_S = 60;

export interface SentReport {
  date: string;
  /** Seconds since local midnight when it was submitted. */
  secondOfDay: number;
  answers: HealthAnswers;
}

const same = (a: HealthAnswers, b: HealthAnswers) =>
  a.temperatureC === b.temperatureC && a.test === b.test && a.contact === b.contact && [...a.symptoms].sort().join() === [...b.symptoms].sort().join();

const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/** True when the latest `AUTOMATION_DAYS` reports (newest first, today's included) look scripted. */
export function looksAutomated(reports: SentReport[]): boolean {
  const run = reports.slice(0, AUTOMATION_DAYS);
  if (run.length < AUTOMATION_DAYS) return false;
  for (let i = 1; i < run.length; i++) {
    if (dayNumber(run[i - 1]!.date) - dayNumber(run[i]!.date) !== 1) return false;
    if (!same(run[i]!.answers, run[0]!.answers)) return false;
  }
  const seconds = run.map((r) => r.secondOfDay);
  return Math.max(...seconds) - Math.min(...seconds) <= AUTOMATION_SPREAD_S;
}
