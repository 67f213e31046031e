/**
 * The day a resident arrived back, as people say it: `今天`, `昨天`, `前天`, `3天前`, `三天前`,
 * `11月27日`, `11-27`, `11/27`, `27号`, `2026-11-27`, `today`, `yesterday`, `3 days ago`,
 * `Nov 27`, `27 November`. Local dates of the community; not in the future and not longer ago
 * than `ARRIVAL_LOOKBACK_DAYS`. Pure.
 */
import { parseChineseNumber } from '../engine/chinese-number.js';
import { foldForMatch } from '../engine/input.js';
import { dayPrompt, daysBetween, localDate, shiftDate } from '../engine/time.js';
import type { Parser } from '../engine/types.js';

/** A return longer ago than this is not a return to track. */
export const ARRIVAL_LOOKBACK_DAYS = 60;

const RELATIVE: Record<string, number> = {
  今天: 0,
  今日: 0,
  刚刚: 0,
  刚到: 0,
  today: 0,
  'just now': 0,
  昨天: -1,
  昨日: -1,
  昨晚: -1,
  yesterday: -1,
  'last night': -1,
  前天: -2,
  'the day before yesterday': -2,
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthOf = (word: string) => MONTHS.indexOf(word.slice(0, 3)) + 1;

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` when it is a real calendar day. */
function isoOf(y: number, m: number, d: number): string | undefined {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : undefined;
}

/** Month and day without a year: this year, or last year when that would be in the future. */
function recentDay(m: number, d: number, today: string): string | undefined {
  const y = Number(today.slice(0, 4));
  const iso = isoOf(y, m, d);
  return iso && iso > today ? isoOf(y - 1, m, d) : iso;
}

/** The local date the text names, or undefined when it names none. */
export function readDay(raw: string, today: string): string | undefined {
  const t = foldForMatch(raw).replace(/\s+/g, ' ');
  if (t in RELATIVE) return shiftDate(today, RELATIVE[t]!);
  let m = /^(\S+?) ?(?:天前|days? ago)$/.exec(t);
  if (m) {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : parseChineseNumber(m[1]!);
    return n !== undefined && Number.isInteger(n) && n >= 0 ? shiftDate(today, -n) : undefined;
  }
  if ((m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(t))) return isoOf(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(t))) return recentDay(Number(m[1]), Number(m[2]), today);
  if ((m = /^(\d{1,2})[日号]$/.exec(t))) {
    const d = Number(m[1]);
    const thisMonth = isoOf(Number(today.slice(0, 4)), Number(today.slice(5, 7)), d);
    return thisMonth && thisMonth <= today ? thisMonth : readDay(`${Number(shiftDate(today, -d).slice(5, 7))}-${d}`, today);
  }
  if ((m = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?$/.exec(t)) && monthOf(m[1]!) > 0) return recentDay(monthOf(m[1]!), Number(m[2]), today);
  if ((m = /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3,9})\.?$/.exec(t)) && monthOf(m[2]!) > 0) return recentDay(monthOf(m[2]!), Number(m[1]), today);
  return undefined;
}

/** The arrival day: a date not after today and at most `ARRIVAL_LOOKBACK_DAYS` before it. */
export function arrivalDate(): Parser<string> {
  return {
    kind: 'text',
    parse(text, ctx) {
      const today = localDate(ctx.now, ctx.timeZone);
      const day = readDay(text, today);
      if (!day) return { ok: false, hint: { key: 'returnees:arrival.hint' } };
      if (day > today) return { ok: false, hint: { key: 'returnees:arrival.future' } };
      if (daysBetween(day, today) > ARRIVAL_LOOKBACK_DAYS)
        return { ok: false, hint: { key: 'returnees:arrival.too_old', params: { days: ARRIVAL_LOOKBACK_DAYS } } };
      return { ok: true, value: day };
    },
    describe: (day) => dayPrompt(day),
  };
}
