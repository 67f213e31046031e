/**
 * The notice routes' input, as zod schemas (they also generate the OpenAPI document). What a
 * schema cannot know — that `sendAt` is still in the future — is checked by the parse functions.
 */
import { z } from 'zod';
import { invalid } from '../errors.js';
import { objectId, pageLimit, parseBody, parseQuery, placeCode, positiveInt, text } from '../input.js';
import { AUDIT_STATUSES } from '../../models/audit-entry.js';
import { NoticeTargetsSchema } from './targets.js';

export const TITLE_MAX = 64;
export const BODY_MAX = 2000;
export const COMMENT_MAX = 500;

/** ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`): a bare local time is ambiguous. */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const SEND_AT_FORMAT = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T08:00:00+08:00';
/** Kept as the string the client sent (so parsing twice is harmless); `parse*` turns it into a Date. */
const sendAtField = z
  .string({ error: SEND_AT_FORMAT })
  .regex(ISO_DATETIME, { error: SEND_AT_FORMAT })
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: SEND_AT_FORMAT })
  .nullable()
  .optional()
  .meta({ description: 'Scheduled broadcast time (future); null = at release' });

const title = text(TITLE_MAX);
const body = text(BODY_MAX);
const comment = text(COMMENT_MAX).optional();
/** The notice version the client saw; a mismatch is 409, so nobody approves text they did not see. */
const version = positiveInt.optional();
const urgent = z.boolean().optional();

export const CreateNoticeBody = z.strictObject({ title, body, targets: NoticeTargetsSchema, urgent, sendAt: sendAtField });

export const PatchNoticeBody = z
  .strictObject({
    title: title.optional(),
    body: body.optional(),
    targets: NoticeTargetsSchema.optional(),
    urgent,
    sendAt: sendAtField,
    comment,
    version,
  })
  .refine((b) => ['title', 'body', 'targets', 'urgent', 'sendAt'].some((k) => k in b), {
    error: 'nothing to change: give title, body, targets, urgent or sendAt',
  });

export const EditNoticeBody = z.strictObject({ title: title.optional(), body: body.optional(), comment, version });
export const NoticeActionBody = z.strictObject({ comment, version });
export const RejectNoticeBody = z.strictObject({ comment: text(COMMENT_MAX), version });

export const NoticeListQuery = z.strictObject({
  status: z.enum(AUDIT_STATUSES).optional(),
  community: placeCode.optional(),
  limit: pageLimit(20, 100),
  before: objectId.optional().meta({ description: 'the `next` of the previous page' }),
});

/** `sendAt` as a Date, which must lie in the future (null unschedules). */
function futureSendAt(v: string | null | undefined, now: Date): Date | null | undefined {
  if (v === undefined || v === null) return v;
  const at = new Date(v);
  if (at.getTime() <= now.getTime()) throw invalid('sendAt must be in the future', { field: 'sendAt', reason: 'must be in the future' });
  return at;
}

export interface CreateNoticeInput {
  title: string;
  body: string;
  targets: z.output<typeof NoticeTargetsSchema>;
  urgent: boolean;
  sendAt: Date | null;
}

export function parseCreate(raw: unknown, now: Date): CreateNoticeInput {
  const b = parseBody(CreateNoticeBody, raw);
  return { title: b.title, body: b.body, targets: b.targets, urgent: b.urgent ?? false, sendAt: futureSendAt(b.sendAt, now) ?? null };
}

export type PatchNoticeInput = Omit<z.output<typeof PatchNoticeBody>, 'sendAt'> & { sendAt?: Date | null };

/** PATCH: any subset of the draft's fields (at least one); `sendAt: null` unschedules. */
export function parsePatch(raw: unknown, now: Date): PatchNoticeInput {
  const { sendAt, ...rest } = parseBody(PatchNoticeBody, raw);
  return sendAt === undefined ? rest : { ...rest, sendAt: futureSendAt(sendAt, now) };
}

export type EditNoticeInput = z.output<typeof EditNoticeBody>;
/** The `edit` duty: optional new title/body (recorded as a diff) and comment. */
export const parseEdit = (raw: unknown): EditNoticeInput => parseBody(EditNoticeBody, raw);

export type ActionInput = z.output<typeof NoticeActionBody>;
/** verify, release, cancel (comment optional) and reject (comment required). */
export const parseAction = (raw: unknown, commentRequired = false): ActionInput => parseBody(commentRequired ? RejectNoticeBody : NoticeActionBody, raw);

export type ListQuery = z.output<typeof NoticeListQuery>;
/** `GET /api/notices?status=&community=&limit=&before=` (before = the last id of the previous page). */
export const parseListQuery = (q: Record<string, unknown>): ListQuery => parseQuery(NoticeListQuery, q);
