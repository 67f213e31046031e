/**
 * Mobile numbers as residents type them: a mainland mobile (`138 1234 5678`, `+86 138…`) or an
 * international number with its `+` prefix. Stored in E.164 (`+8613812345678`).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeInput } from './input.js';
import type { Parser } from './types.js';

export function normalizeMobile(raw: string): string | undefined {
  const t = normalizeInput(raw).replace(/[\s()-]/g, '');
  if (!/^\+?\d{5,16}$/.test(t)) return undefined;
  const p = parsePhoneNumberFromString(t, 'CN');
  if (!p?.isValid()) return undefined;
  const type = p.getType();
  // Mainland numbers must be mobiles (a landline cannot get an SMS from staff); abroad the type is often ambiguous.
  if (p.country === 'CN' ? type !== 'MOBILE' : type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return undefined;
  return p.number;
}

/** The last four digits, which link a resident to a household imported from a roster. */
export const mobileLast4 = (e164: string) => e164.slice(-4);

/** `138****5678`: how a mobile number appears to roles that do not need it, and in logs. */
export function maskMobile(e164: string | undefined | null): string | undefined {
  if (!e164) return undefined;
  const national = e164.startsWith('+86') ? e164.slice(3) : e164;
  return national.length <= 7 ? `${national.slice(0, 2)}****` : `${national.slice(0, 3)}****${national.slice(-4)}`;
}

const SKIP = /^(跳过|不填|不方便|skip|none|no)$/i;

/** A mobile number, or (when `optional`) `跳过`/skip → ''. */
export function mobile(o: { optional?: boolean } = {}): Parser<string> {
  return {
    kind: 'text',
    parse(text) {
      if (o.optional && SKIP.test(normalizeInput(text))) return { ok: true, value: '' };
      const m = normalizeMobile(text);
      return m ? { ok: true, value: m } : { ok: false, hint: { key: 'engine:mobile' } };
    },
    describe: (v) => (v ? { key: 'engine:raw', params: { value: maskMobile(v) } } : { key: 'engine:skipped' }),
  };
}
