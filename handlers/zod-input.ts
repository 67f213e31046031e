/**
 * API input through zod, until the shared parser (`handlers/input.ts` on the staff-api branch)
 * lands: the same names (`parseBody`, `parseQuery`), the first problem as 400 `invalid_input` with
 * `details: {field, reason}`. Swap the import when merging; the schemas stay.
 */
import { z } from 'zod';
import { invalid } from './errors.js';

/** Our wording for zod's built-in checks (a schema's own `error` wins over this). */
function reasonOf(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'is required' : `must be ${iss.expected === 'int' ? 'an integer' : `a ${iss.expected}`}`;
    case 'too_small':
      return iss.origin === 'string' ? 'must not be empty' : iss.origin === 'array' ? `must have at least ${iss.minimum}` : `must be at least ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'array' ? `must have at most ${iss.maximum}` : `must be at most ${iss.maximum}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
}

function fail(issue: z.core.$ZodIssue, part: string): never {
  if (issue.path.length === 0 && issue.code === 'invalid_type') throw invalid(part === 'body' ? 'expected a JSON object' : `invalid ${part}`);
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') throw invalid(`unknown field ${issue.keys.join(', ')}`, { field: field || issue.keys[0]!, fields: issue.keys });
  throw invalid(field ? `${field} ${issue.message}` : issue.message, field ? { field, reason: issue.message } : { reason: issue.message });
}

const check = <S extends z.ZodType>(schema: S, raw: unknown, part: string): z.output<S> => {
  const r = schema.safeParse(raw, { error: (iss) => reasonOf(iss) });
  return r.success ? r.data : fail(r.error.issues[0]!, part);
};

/** `schema`'s output for a JSON body (absent: `{}`), or 400 naming the field. */
export const parseBody = <S extends z.ZodType>(schema: S, raw: unknown): z.output<S> => check(schema, raw === undefined ? {} : raw, 'body');

/** A query string: a parameter given twice is 400, an empty one counts as absent. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, { field: k, reason: 'may be given once' });
    if (v !== '' && v !== undefined) clean[k] = v;
  }
  return check(schema, clean, 'query');
}

export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id (24 hexadecimal digits)' });
export const placeCode = z.string().regex(/^[a-z0-9-]{1,32}$/, { error: 'must be a code (a-z, 0-9, -; at most 32)' });
export const buildingCode = z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, { error: 'must be a building code (letters, digits, _ or -; at most 32)' });
export const localDay = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time HH:mm' });
/** Trimmed, not empty, at most `max` characters (an emoji counts as one). */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .refine((s) => [...s].length <= max, { error: `must be at most ${max} characters` });
