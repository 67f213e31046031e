/**
 * How a task reads in a message (prompt, confirmation, reminder…): its code, title, place and
 * time in the community's time zone, as prompt parameters rendered in each volunteer's language.
 */
import { TZDate } from '@date-fns/tz';
import { localDate, localTime } from '../engine/time.js';
import type { Prompt } from '../engine/types.js';

export interface TaskText {
  code: string;
  title: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
}

/** `11月29日（周六）09:00–12:00` / `Sat 29/11 09:00–12:00` (with the end's day when it ends on another). */
export function taskTime(startsAt: Date, endsAt: Date, timeZone: string): Prompt {
  const start = new TZDate(startsAt.getTime(), timeZone);
  const end = new TZDate(endsAt.getTime(), timeZone);
  const params = {
    weekday: { key: `volunteers:weekday.${start.getDay()}` },
    month: start.getMonth() + 1,
    day: start.getDate(),
    start: localTime(startsAt, timeZone),
    end: localTime(endsAt, timeZone),
  };
  if (localDate(startsAt, timeZone) === localDate(endsAt, timeZone)) return { key: 'volunteers:time', params };
  return { key: 'volunteers:time_days', params: { ...params, endMonth: end.getMonth() + 1, endDay: end.getDate() } };
}

/** The parameters every task message uses: `code`, `title`, `place`, `time`. */
export function taskParams(task: TaskText, timeZone: string): Record<string, unknown> {
  return { code: task.code, title: task.title, place: task.place, time: taskTime(task.startsAt, task.endsAt, timeZone) };
}
