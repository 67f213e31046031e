/**
 * Input of the rumour routes and the trusted import, as zod schemas, read by the shared parser
 * (`handlers/input.ts`: 400 `invalid_input` naming the field) and published in the OpenAPI
 * document. The use cases parse again (scripts and tests call them with raw input).
 */
import { z } from 'zod';
import { LANGUAGES } from '../../models/resident.js';
import { VERDICTS } from '../../models/fact-check.js';
import { CLAIM_STATUSES } from '../../models/claim.js';
import { AUDIT_STATUSES } from '../../models/audit-entry.js';
import { objectId, pageLimit, positiveInt } from '../input.js';

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

const version = positiveInt;
const comment = text(1, COMMENT_MAX);

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

/** `GET /api/rumors/claims?status=&limit=`. */
export const ClaimListQuery = z.strictObject({
  status: z.enum(CLAIM_STATUSES, { error: `must be one of ${CLAIM_STATUSES.join(', ')}` }).default('pending'),
  limit: pageLimit(50, 200),
});

const FACT_CHECK_STATUSES = AUDIT_STATUSES.filter((s) => s !== 'sending' && s !== 'completed');
/** `GET /api/rumors/fact-checks?status=&limit=`. */
export const FactCheckListQuery = z.strictObject({
  status: z.enum(FACT_CHECK_STATUSES as [string, ...string[]], { error: `must be one of ${FACT_CHECK_STATUSES.join(', ')}` }).optional(),
  limit: pageLimit(50, 500),
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
