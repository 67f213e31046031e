/**
 * Answer parsers, one per answer type: choice, several choices, a number (with a unit), a
 * temperature, yes/no, confirm, free text. Each reads the answer as people type it (numbers or
 * words in either language, full-width characters, Chinese numerals) and returns the value or a
 * hint for re-asking. Pure.
 */
import { parseChineseNumber } from './chinese-number.js';
import { foldForMatch, MAX_INPUT_CHARS, normalizeInput, stripEmoji } from './input.js';
import type { Answers, ConversationContext, Option, Parsed, Parser, Prompt } from './types.js';

const hint = (key: string, params?: Record<string, unknown>): { ok: false; hint: Prompt } => ({
  ok: false,
  hint: { key: `engine:${key}`, ...(params ? { params } : {}) },
});
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

type Options = Option[] | ((ctx: ConversationContext, answers: Answers) => Option[]);
const resolve = (o: Options, ctx: ConversationContext, a: Answers) => (typeof o === 'function' ? o(ctx, a) : o);

/** `3`, `第3个`, `选3`, `3号`, `三` → 3. */
function optionNumber(text: string): number | undefined {
  const m = /^(?:第|选|选择|option|no\.?)?\s*(\d{1,3})\s*(?:个|项|号|条)?$/i.exec(text);
  if (m) return Number(m[1]);
  const zh = parseChineseNumber(text.replace(/^(第|选)/, '').replace(/(个|项|号)$/, ''));
  return zh !== undefined && Number.isInteger(zh) ? zh : undefined;
}

/** The words an option answers to: its label in every language and its aliases, folded. */
function wordsOf(o: Option, ctx: ConversationContext): string[] {
  return [...ctx.texts.all(o.label.key, o.label.params), ...(o.aliases ?? [])].map(foldForMatch).filter(Boolean);
}

/** One option picked by number, by its words, or by the only label the text contains. */
function pickOne(raw: string, options: Option[], ctx: ConversationContext): Option | undefined {
  const text = normalizeInput(raw);
  const n = optionNumber(text);
  if (n !== undefined) return options[n - 1];
  const t = foldForMatch(text);
  if (!t) return undefined;
  const exact = options.filter((o) => wordsOf(o, ctx).includes(t));
  if (exact.length === 1) return exact[0];
  // "我选食品" / "food please": a single option whose words appear in the text.
  const contained = options.filter((o) => wordsOf(o, ctx).some((w) => w.length >= 2 && t.includes(w)));
  return contained.length === 1 ? contained[0] : undefined;
}

function tooLong(text: string): boolean {
  return text.length > MAX_INPUT_CHARS;
}

/** One of the options. */
export function choice(options: Options): Parser<string> {
  return {
    kind: 'choice',
    options: (ctx, a) => resolve(options, ctx, a),
    parse(text, ctx, a) {
      const list = resolve(options, ctx, a);
      if (tooLong(text)) return hint('choice', { count: list.length });
      const picked = pickOne(text, list, ctx);
      return picked ? ok(picked.value) : hint('choice', { count: list.length });
    },
    describe: (value, ctx, a) => resolve(options, ctx, a).find((o) => o.value === value)?.label ?? { key: 'engine:raw', params: { value } },
  };
}

const NONE_WORDS = ['无', '没有', '都没有', '均无', '没', '没症状', '无症状', '不需要', 'none', 'no', 'nothing', 'n/a', '0'];
/** Between choices: commas and list words; spaces only when that reads nothing ("any time" is one choice, "1 3" two). */
const SEPARATORS = /[,;/、，；]+|和|及|以及|\band\b/i;
const SPACES = /\s+/;

/** Several options (or none, when `noneLabel` is given). */
export function multiChoice(options: Options, o: { none?: Option } = {}): Parser<string[]> {
  return {
    kind: 'multi',
    options: (ctx, a) => [...resolve(options, ctx, a), ...(o.none ? [o.none] : [])],
    parse(text, ctx, a) {
      const list = resolve(options, ctx, a);
      const all = [...list, ...(o.none ? [o.none] : [])];
      if (tooLong(text)) return hint('multi', { count: all.length });
      const t = foldForMatch(text);
      if (o.none && (NONE_WORDS.includes(t) || wordsOf(o.none, ctx).includes(t))) return ok([]);
      const read = (parts: string[]): Parsed<string[]> | undefined => {
        const picked: string[] = [];
        for (const part of parts) {
          const one = pickOne(part, all, ctx);
          if (!one) return undefined;
          if (o.none && one.value === o.none.value) return parts.length > 1 ? hint('multi_none_alone') : ok([]);
          if (!picked.includes(one.value)) picked.push(one.value);
        }
        return picked.length ? ok(picked) : undefined;
      };
      // "135" from someone who skipped the commas, when every option number is a single digit.
      if (/^\d{2,}$/.test(t) && all.length <= 9) return read([...t]) ?? hint('multi', { count: all.length });
      const parts = t
        .split(SEPARATORS)
        .map((x) => x.trim())
        .filter(Boolean);
      return read(parts) ?? read(parts.flatMap((x) => x.split(SPACES)).filter(Boolean)) ?? hint('multi', { count: all.length });
    },
    describe: (values, ctx, a) => {
      const list = resolve(options, ctx, a);
      if (!values.length) return { key: 'engine:none' };
      return { key: 'engine:raw', params: { value: values.map((v) => list.find((x) => x.value === v)?.label ?? { key: 'engine:raw', params: { value: v } }) } };
    },
  };
}

/** A number in a range, typed with or without its unit (`3`, `3人`, `三口人`). */
export function number(o: { min: number; max: number; integer?: boolean; unit?: RegExp }): Parser<number> {
  return {
    kind: 'number',
    parse(text) {
      let t = normalizeInput(text).replace(/\s+/g, '');
      if (o.unit) t = t.replace(o.unit, '');
      const n = /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : parseChineseNumber(t);
      if (n === undefined || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max)
        return hint('number', { min: o.min, max: o.max });
      return ok(n);
    },
  };
}

/** Body temperatures are read in this range (°C); anything else is a typo or a broken thermometer. */
export const TEMPERATURE_RANGE_C = { min: 34, max: 43 } as const;

/**
 * A body temperature in °C, one decimal: `36.5`, `36.5度`, `36.5℃`, `36.5°C`, `36度5`,
 * `三十六度五`, `97.7F`/`97.7°F` (converted; a bare 90–110 is read as Fahrenheit too).
 */
export function temperature(): Parser<number> {
  return {
    kind: 'number',
    parse(text) {
      const t = normalizeInput(text).replace(/\s+/g, '').toLowerCase();
      if (!t || t.length > 40) return hint('temperature_format');
      let m = /^(-?\d+(?:\.\d+)?)(℃|°c|°|c|度|摄氏度)?$/.exec(t);
      let value: number | undefined;
      let fahrenheit = false;
      if (m) value = Number(m[1]);
      else if ((m = /^(\d+)度(\d)$/.exec(t)))
        value = Number(`${m[1]}.${m[2]}`); // 36度5
      else if ((m = /^(-?\d+(?:\.\d+)?)(℉|°f|f|华氏度)$/.exec(t))) {
        value = Number(m[1]);
        fahrenheit = true;
      } else value = parseChineseNumber(t);
      if (value === undefined || !Number.isFinite(value)) return hint('temperature_format');
      if (!fahrenheit && value >= 90 && value <= 110) fahrenheit = true;
      const c = Math.round((fahrenheit ? ((value - 32) * 5) / 9 : value) * 10) / 10;
      if (c < TEMPERATURE_RANGE_C.min || c > TEMPERATURE_RANGE_C.max)
        return hint('temperature_range', { min: TEMPERATURE_RANGE_C.min, max: TEMPERATURE_RANGE_C.max });
      return ok(c);
    },
    describe: (c) => ({ key: 'engine:temperature', params: { value: c.toFixed(1) } }),
  };
}

const YES = [
  '是',
  '是的',
  '对',
  '对的',
  '有',
  '有的',
  '好',
  '好的',
  '可以',
  '行',
  '嗯',
  '确认',
  '确定',
  '提交',
  'yes',
  'y',
  'yeah',
  'yep',
  'ok',
  'okay',
  'sure',
  'true',
  '1',
];
const NO = ['否', '不', '不是', '没有', '无', '没', '不对', '不要', '不用', 'no', 'n', 'nope', 'false', '2'];

function yesNoOf(text: string, more: { yes?: string[]; no?: string[] } = {}): boolean | undefined {
  const t = foldForMatch(text);
  if (YES.includes(t) || more.yes?.includes(t)) return true;
  if (NO.includes(t) || more.no?.includes(t)) return false;
  return undefined;
}

/** `more`: the words a particular question is answered with ("还需要吗？" → 需要 / 不需要了), lower-case. */
export function yesNo(more: { yes?: string[]; no?: string[] } = {}): Parser<boolean> {
  return {
    kind: 'yesno',
    parse: (text) => {
      const v = yesNoOf(text, more);
      return v === undefined ? hint('yesno') : ok(v);
    },
    describe: (v) => ({ key: v ? 'engine:yes' : 'engine:no' }),
  };
}

const EDIT = ['修改', '改', '更改', '重填', 'change', 'edit', 'modify'];

/** The summary's answer: `submit` (1 / 是 / 提交 / yes) or `edit` (2 / 修改 / change). */
export function confirm(): Parser<'submit' | 'edit'> {
  return {
    kind: 'confirm',
    parse: (text) => {
      if (EDIT.includes(foldForMatch(text))) return ok('edit');
      const v = yesNoOf(text);
      return v === undefined ? hint('confirm') : ok(v ? 'submit' : 'edit');
    },
  };
}

/** Free text (items, an address, a name): not empty, not only emoji, at most `max` characters. */
export function text(o: { max: number; min?: number }): Parser<string> {
  return {
    kind: 'text',
    parse(raw) {
      // Kept as typed (Chinese punctuation and all); only whitespace is tidied.
      const t = raw.replace(/[\u3000\s]+/g, ' ').trim();
      if (t.length > o.max) return hint('text_too_long', { max: o.max });
      const letters = stripEmoji(t).replace(/[\p{P}\p{S}\s]/gu, '').length;
      if (letters === 0) return hint('text_empty');
      if (letters < (o.min ?? 1)) return hint('text_too_short');
      return ok(t);
    },
  };
}
