/**
 * Which of the community's risk areas a returnee's "where from" names, and the observation that
 * follows. Residents write places freely (`上海浦东`, `从长春回来`, `Shanghai`); staff list areas
 * at any level (`上海`, `吉林省长春市`, `上海市浦东新区`), optionally with other spellings after
 * `/` (`上海/Shanghai`). An area matches when the text contains its most specific name with or
 * without the administrative suffix (`长春` of `吉林省长春市`). Pure.
 */
import { normalizeInput } from '../engine/input.js';
import { shiftDate } from '../engine/time.js';

const fold = (s: string) => normalizeInput(s).toLowerCase().replace(/\s+/g, '');

/** `吉林省长春市` → [`吉林省`, `长春市`]; a name without a suffix stays whole. */
const PART = /.+?(?:特别行政区|自治区|自治州|自治县|新区|地区|省|市|区|县|盟|旗)/gu;
const SUFFIX = /(?:特别行政区|自治区|自治州|自治县|新区|地区|省|市|区|县|盟|旗)$/u;

/** The names a spelling is recognised by: whole, and its most specific part with and without suffix. */
function namesOf(spelling: string): string[] {
  const whole = fold(spelling);
  if (!whole) return [];
  const parts = whole.match(PART);
  const last = parts && parts.join('') === whole ? parts[parts.length - 1]! : whole;
  const core = last.replace(SUFFIX, '');
  return [...new Set([whole, last, ...(core.length >= 2 ? [core] : [])])];
}

/** The first risk area (as staff wrote it) that `from` names, with the spelling that matched (for the resident's message). */
export function matchRiskArea(from: string, areas: readonly string[]): { area: string; name: string } | undefined {
  const t = fold(from);
  if (!t) return undefined;
  for (const area of areas) {
    const spelling = area.split('/').find((sp) => namesOf(sp).some((n) => t.includes(n)));
    if (spelling) return { area, name: spelling.trim() };
  }
  return undefined;
}

/** The observation after arriving on `arrival` (local dates, inclusive), or undefined when it is already over by `today`. */
export function observationPeriod(arrival: string, days: number, today: string): { startDate: string; endDate: string } | undefined {
  const endDate = shiftDate(arrival, days - 1);
  return endDate < today ? undefined : { startDate: arrival, endDate };
}
