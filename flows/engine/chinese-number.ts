/**
 * Numbers written in Chinese characters, as residents type them: 三, 十二, 两, 三十六点五,
 * 三十六度五 (36.5 — the 度 stands where the decimal point would), 九十七点七. Small numbers
 * only (below 1,000): ages, household sizes, temperatures.
 */
const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  两: 2,
  贰: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100 };

/** An integer below 1,000 in Chinese characters, or undefined. */
function chineseInteger(s: string): number | undefined {
  if (!s) return undefined;
  let total = 0;
  let digit: number | undefined;
  for (const ch of s) {
    if (ch in DIGITS) {
      if (digit !== undefined) return undefined; // two digits in a row without a unit: not a number we read
      digit = DIGITS[ch];
    } else if (ch in UNITS) {
      total += (digit ?? 1) * UNITS[ch]!; // 十二 = 12: a unit without a digit before it means one
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

/** Decimal digits written one by one after 点 (三十六点五 → .5, 点二五 → .25). */
function chineseFraction(s: string): number | undefined {
  let out = '';
  for (const ch of s) {
    const d = DIGITS[ch];
    if (d === undefined) return undefined;
    out += String(d);
  }
  return out ? Number(`0.${out}`) : undefined;
}

/**
 * Parse a Chinese-character number; `度` may stand for the decimal point (三十六度五) or end it
 * (三十六度). Returns undefined for anything else.
 */
export function parseChineseNumber(raw: string): number | undefined {
  const s = raw.replace(/\s+/g, '').replace(/(摄氏度|摄氏|度)$/, '');
  const m = /^([零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰]+)(?:[点度]([零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖]+))?$/.exec(s);
  if (!m) return undefined;
  const whole = chineseInteger(m[1]!);
  if (whole === undefined) return undefined;
  if (!m[2]) return whole;
  const frac = chineseFraction(m[2]);
  return frac === undefined ? undefined : whole + frac;
}
