/**
 * API input checked by zod schemas: one parser for bodies, query strings and path parameters
 * that turns the first problem into 400 `invalid_input` with `details: {field, reason}`. The same
 * schemas generate `GET /api/openapi.json`, so the documentation cannot drift from the checks.
 * Messages read as `<field> <reason>` ("title is required", "risk must be one of green, yellow, red").
 */
import { z } from 'zod';
import { invalid } from './errors.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

const chars = (v: unknown) => (typeof v === 'string' ? [...v].length : Array.isArray(v) ? v.length : 0);

/** Our wording for zod's built-in checks (a schema's own `error` wins over this). */
function reasonOf(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'is required' : `must be ${TYPE_WORDS[iss.expected] ?? iss.expected}`;
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'must not be empty' : `must be at least ${iss.minimum} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at least ${iss.minimum} item${Number(iss.minimum) === 1 ? '' : 's'}`;
      return `must be ${iss.inclusive ? 'at least' : 'greater than'} ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `is ${chars(iss.input)} characters; at most ${iss.maximum}`;
      if (iss.origin === 'array' || iss.origin === 'set') return `has ${chars(iss.input)} items; at most ${iss.maximum}`;
      return `must be ${iss.inclusive ? 'at most' : 'less than'} ${iss.maximum}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (iss.format === 'date') return 'must be a date YYYY-MM-DD';
      if (iss.format === 'datetime') return 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T08:00:00+08:00';
      return 'has the wrong format';
    case 'unrecognized_keys': {
      const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      const allowed = shape ? `; allowed: ${Object.keys(shape).join(', ')}` : '';
      return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}${allowed}`;
    }
    default:
      return undefined;
  }
}

/**
 * The issue's field, as clients name it: the path up to the first array index (`targets.buildings`,
 * `quantities`), and what went wrong, naming the item when it is inside an array ("item 2:
 * quantity must be greater than 0"). Unknown keys are reported on the object that has them.
 */
export function describeIssue(issue: Issue): { field: string; reason: string } {
  const path = issue.path.map(String);
  const at = issue.path.findIndex((p) => typeof p === 'number');
  const field = (at < 0 ? path : path.slice(0, at)).join('.');
  let reason = issue.message;
  if (at >= 0) {
    const rest = path.slice(at + 1).join('.');
    reason = `item ${Number(issue.path[at]) + 1}: ${rest ? `${rest} ` : ''}${reason}`;
  }
  return { field, reason };
}

export type InputPart = 'body' | 'query' | 'params';

/** `schema`'s output for `raw`, or 400 `invalid_input` naming the field and the reason. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, part: InputPart = 'body'): z.output<S> {
  const r = schema.safeParse(raw, { error: (iss) => reasonOf(iss) });
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.path.length === 0 && issue.code === 'invalid_type') throw invalid(part === 'body' ? 'expected a JSON object' : `invalid ${part}`);
  const { field, reason } = describeIssue(issue);
  if (issue.code === 'unrecognized_keys') {
    // On the top level the unknown key itself is the field; on a nested object, the object.
    throw invalid(field ? `${field}: ${reason}` : reason, { field: field || issue.keys[0]!, fields: issue.keys, reason });
  }
  throw invalid(field ? `${field} ${reason}` : reason, field ? { field, reason } : { reason });
}

/**
 * A query string's values as zod sees them: a parameter given twice is 400 (`?risk=red&risk=green`
 * is ambiguous), and an empty one (`?building=`) counts as absent, as form-built URLs send them.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, { field: k, reason: 'may be given once' });
    if (v !== '' && v !== undefined) clean[k] = v;
  }
  return parseInput(schema, clean, 'query');
}

/** Bodies arrive as `undefined` when a client sends none: an action with only optional fields takes `{}`. */
export const parseBody = <S extends z.ZodType>(schema: S, raw: unknown): z.output<S> => parseInput(schema, raw ?? {}, 'body');

// ——— Field schemas shared by the routes ———

/** A MongoDB ObjectId as 24 hex digits. */
export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id (24 hexadecimal digits)' });

/** A community (or street) code: lower-case letters, digits and dashes. */
export const placeCode = z.string().regex(/^[a-z0-9-]{1,32}$/, { error: 'must be a code (a-z, 0-9, -; at most 32)' });
/** A building code (may be Chinese: `3号楼`). */
export const buildingCode = z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, { error: 'must be a building code (letters, digits, _ or -; at most 32)' });

/** A local calendar day, `YYYY-MM-DD` (a real date: `2026-02-30` is refused). */
export const localDay = z.iso.date();

/** `true` / `false` in a query string. */
export const queryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `limit` of a page (query string), 1..max. */
export const pageLimit = (fallback: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer 1..${max}` })
    .int({ error: `must be an integer 1..${max}` })
    .min(1, { error: `must be an integer 1..${max}` })
    .max(max, { error: `must be an integer 1..${max}` })
    .default(fallback);

/**
 * Trimmed text of at most `max` characters (counted as characters, not UTF-16 units, so an emoji
 * is one). Empty after trimming is refused: a reason of spaces says nothing.
 */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .refine((s) => [...s].length <= max, { error: (iss) => `is ${chars(iss.input)} characters; at most ${max}` })
    .meta({ maxLength: max });

/** The optional `expectedSeq`/`version` a client saw: a change made meanwhile answers 409. */
export const positiveInt = z.number().int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' });
