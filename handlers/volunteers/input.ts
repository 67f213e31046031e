/**
 * Staff API input for the volunteer routes, checked by zod: the first problem becomes 400
 * `invalid_input` with `details.field`. (Interim: the shared zod parser and OpenAPI document of
 * the staff API replace this helper when they land; the schemas stay.)
 */
import type { z } from 'zod';
import { invalid } from '../errors.js';

/** `schema`'s output for `raw`, or 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, part: 'body' | 'query' = 'body'): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw invalid(`unknown field ${issue.keys.join(', ')}`, { field: issue.keys[0]! });
  const field = issue.path.map(String).join('.');
  if (!field) throw invalid(issue.code === 'invalid_type' ? `expected ${part === 'body' ? 'a JSON object' : 'a query string'}` : issue.message);
  throw invalid(`${field}: ${issue.message}`, { field });
}

/** A query string: a parameter given twice is refused, an empty one counts as absent. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, { field: k });
    if (v !== '' && v !== undefined) clean[k] = v;
  }
  return parseInput(schema, clean, 'query');
}
