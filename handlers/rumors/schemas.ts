/**
 * Input of the rumour routes and the trusted import, as zod schemas. `parseRumorInput` turns the
 * first problem into 400 `invalid_input` naming the field (the staff API's shape; it becomes the
 * shared `handlers/input.ts` parser when the zod-validated API lands).
 */
import { z } from 'zod';
import { LANGUAGES } from '../../models/resident.js';
import { VERDICTS } from '../../models/fact-check.js';
import { CLAIM_STATUSES } from '../../models/claim.js';
import { AUDIT_STATUSES } from '../../models/audit-entry.js';
import { invalid } from '../errors.js';

const chars = (s: string) => [...s].length;
/** Trimmed text of `min`..`max` characters (counted as characters, so an emoji is one). */
const text = (min: number, max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .refine((s) => s.length > 0, { error: 'must not be empty' })
    .refine((s) => chars(s) >= min, { error: `must be at least ${min} characters` })
    .refine((s) => chars(s) <= max, { error: (iss) => `is ${chars(String(iss.input))} characters; at most ${max}` });

export const CLAIM_MAX = 200;
export const EXPLANATION_MAX = 600;
export const SOURCE_MAX = 300;
export const COMMENT_MAX = 500;
/** A resident's message as the matcher reads it (the webhook's own limit). */
export const QUERY_MAX = 2000;

export const factFields = {
  lang: z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(', ')}` }),
  claim: text(4, CLAIM_MAX),
  verdict: z.enum(VERDICTS, { error: `must be one of ${VERDICTS.join(', ')}` }),
  explanation: text(10, EXPLANATION_MAX),
  /** Empty means "no source named"; residents are then told no source. */
  source: z
    .string({ error: 'must be a string' })
    .trim()
    .max(SOURCE_MAX, { error: `is too long; at most ${SOURCE_MAX} characters` }),
  aliases: z.array(text(2, CLAIM_MAX), { error: 'must be an array of texts' }).max(10, { error: 'has too many items; at most 10' }),
};

const version = z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' });
const comment = text(1, COMMENT_MAX);
const objectId = z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id (24 hexadecimal digits)' });

/** A whole fact-check as written: what a new draft and an import entry hold. */
const wholeFactCheck = {
  lang: factFields.lang,
  claim: factFields.claim,
  verdict: factFields.verdict,
  explanation: factFields.explanation,
  source: factFields.source.optional(),
  aliases: factFields.aliases.optional(),
};

/** `POST /api/rumors/fact-checks`: a draft, optionally answering a pending claim. */
export const CreateFactCheck = z.strictObject({ ...wholeFactCheck, claimId: objectId.optional() });

/** `POST /api/rumors/claims/:id/fact-check`: the claim's own text and language unless given. */
export const CreateForClaim = CreateFactCheck.omit({ claimId: true }).partial({ lang: true, claim: true });

const changes = {
  claim: factFields.claim.optional(),
  verdict: factFields.verdict.optional(),
  explanation: factFields.explanation.optional(),
  source: factFields.source.optional(),
  aliases: factFields.aliases.optional(),
};

/** `PATCH /api/rumors/fact-checks/:id` (author, draft) and the `edit` duty: any content, a comment, the version seen. */
export const ChangeFactCheck = z.strictObject({ ...changes, lang: factFields.lang.optional(), comment: comment.optional(), version: version.optional() });

/** `POST …/correct`: a released fact-check back into the audit; why is required. */
export const CorrectFactCheck = z.strictObject({ ...changes, comment, version: version.optional() });

/** verify, release, withdraw (comment optional) and reject (`RejectAction`: comment required). */
export const AuditAction = z.strictObject({ comment: comment.optional(), version: version.optional() });
export const RejectAction = z.strictObject({ comment, version: version.optional() });

/** `POST /api/rumors/match`. */
export const MatchQuery = z.strictObject({ text: text(1, QUERY_MAX), lang: factFields.lang.optional() });

/** A page size from a query string: 1..max, 50 when absent. */
const pageLimit = (max: number) => {
  const error = `must be an integer 1..${max}`;
  return z.coerce.number({ error }).int({ error }).min(1, { error }).max(max, { error }).default(50);
};

/** `GET /api/rumors/claims?status=&limit=`. */
export const ClaimListQuery = z.strictObject({
  status: z.enum(CLAIM_STATUSES, { error: `must be one of ${CLAIM_STATUSES.join(', ')}` }).default('pending'),
  limit: pageLimit(200),
});

const FACT_CHECK_STATUSES = AUDIT_STATUSES.filter((s) => s !== 'sending' && s !== 'completed');
/** `GET /api/rumors/fact-checks?status=&limit=`. */
export const FactCheckListQuery = z.strictObject({
  status: z.enum(FACT_CHECK_STATUSES as [string, ...string[]], { error: `must be one of ${FACT_CHECK_STATUSES.join(', ')}` }).optional(),
  limit: pageLimit(500),
});

/** `POST /api/rumors/claims/:id/answer`: answer with an existing fact-check. */
export const AnswerClaim = z.strictObject({ factCheckId: objectId, comment: comment.optional() });
/** `POST /api/rumors/claims/:id/dismiss`. */
export const DismissClaim = z.strictObject({ comment });

/** One entry of a trusted import file (`npm run import:fact-checks`); `key` names it for idempotent re-imports. */
export const ImportEntry = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, { error: 'must be lower-case words joined by dashes' })
    .optional(),
  ...wholeFactCheck,
});
export type ImportEntry = z.infer<typeof ImportEntry>;

/** The first problem of a failed parse as a field and a reason. */
export function problemOf(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return { field: issue.keys[0] ?? '', reason: `is not a known field` };
  return { field: issue.path.map(String).join('.'), reason: issue.message };
}

/** `schema`'s output for `raw` (an absent body is `{}`), or 400 `invalid_input` naming the field. */
export function parseRumorInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const value = raw ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('expected a JSON object');
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const p = problemOf(r.error);
  throw invalid(p.field ? `${p.field} ${p.reason}` : p.reason, p);
}

/** A query string parsed by `schema`: a parameter given twice is 400, an empty one counts as absent. */
export function parseRumorQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, { field: k, reason: 'may be given once' });
    if (v !== '' && v !== undefined) clean[k] = v;
  }
  return parseRumorInput(schema, clean);
}
