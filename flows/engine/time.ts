/**
 * Local calendar days in a community's time zone (`@date-fns/tz`; no hand-made offsets): "one
 * report per day", "not reported today" and the reminder all mean the community's day.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

/** Every zone's offset is a whole number of quarter hours, so a local day starts on a UTC quarter hour. */
const QUARTER_HOUR_MS = 15 * 60_000;
const recentDates = new Map<string, string>();

/** `YYYY-MM-DD` of `at` in `timeZone` (remembered per quarter hour: every message asks for "today"). */
export function localDate(at: Date, timeZone: string): string {
  const key = `${timeZone}|${Math.floor(at.getTime() / QUARTER_HOUR_MS)}`;
  let date = recentDates.get(key);
  if (date === undefined) {
    date = format(new TZDate(at.getTime(), timeZone), 'yyyy-MM-dd');
    if (recentDates.size >= 64) recentDates.clear();
    recentDates.set(key, date);
  }
  return date;
}

/** The local date `n` days after (negative: before) `date` (`YYYY-MM-DD`). */
export function shiftDate(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return format(addDays(new Date(Date.UTC(y!, m! - 1, d!, 12)), n), 'yyyy-MM-dd');
}

/** `HH:mm` wall-clock time of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): string {
  return format(new TZDate(at.getTime(), timeZone), 'HH:mm');
}

/** The instant of local `date` at `HH:mm` in `timeZone`. */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  return new Date(new TZDate(y!, m! - 1, d!, hh!, mm!, 0, timeZone).getTime());
}

/** A local date (`YYYY-MM-DD`) as words: `11月28日` / `28 Nov`. */
export function dayPrompt(date: string): { key: string; params: Record<string, unknown> } {
  const [, m, d] = date.split('-').map(Number);
  return { key: 'engine:day', params: { month: { key: `engine:month.${m}` }, day: d } };
}

/** Whole days from local date `a` to local date `b` (`YYYY-MM-DD`; negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  const n = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / 86_400_000;
  return Math.round(n(b) - n(a));
}
