import { invalid } from '../errors.js';
import { AUDIT_STATUSES, type AuditStatus } from '../../models/audit-entry.js';
import type { NoticeTargets } from '../../models/notice.js';
import { parseTargets } from './targets.js';

export const TITLE_MAX = 64;
export const BODY_MAX = 2000;
export const COMMENT_MAX = 500;

/** ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`): a bare local time is ambiguous. */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type Body = Record<string, unknown>;

/** The request body as an object with only `allowed` keys (400 otherwise). */
export function objectBody(raw: unknown, allowed: readonly string[]): Body {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('expected a JSON object');
  const unknown = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (unknown.length) throw invalid(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`, { fields: unknown });
  return raw as Body;
}

const chars = (s: string) => [...s].length;

function text(b: Body, field: string, max: number, required: boolean): string | undefined {
  const v = b[field];
  if (v === undefined) {
    if (required) throw invalid(`${field} is required`, { field });
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`${field} must be a string`, { field });
  const t = v.trim();
  if (!t) throw invalid(`${field} must not be empty`, { field });
  if (chars(t) > max) throw invalid(`${field} is ${chars(t)} characters; at most ${max}`, { field, max });
  return t;
}

function bool(b: Body, field: string): boolean | undefined {
  const v = b[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`${field} must be true or false`, { field });
  return v;
}

/** `sendAt`: ISO date-time with offset, in the future; `null` (where allowed) clears it. */
function sendAt(b: Body, now: Date, allowNull: boolean): Date | null | undefined {
  const v = b.sendAt;
  if (v === undefined) return undefined;
  if (v === null && allowNull) return null;
  if (typeof v !== 'string' || !ISO_DATETIME.test(v) || Number.isNaN(Date.parse(v))) {
    throw invalid('sendAt must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T08:00:00+08:00', { field: 'sendAt' });
  }
  const at = new Date(v);
  if (at.getTime() <= now.getTime()) throw invalid('sendAt must be in the future', { field: 'sendAt' });
  return at;
}

/** Optional `version` the client saw; a mismatch becomes 409 in the workflow. */
function version(b: Body): number | undefined {
  const v = b.version;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid('version must be a positive integer', { field: 'version' });
  return v;
}

export interface CreateNoticeInput {
  title: string;
  body: string;
  targets: NoticeTargets;
  urgent: boolean;
  sendAt: Date | null;
}

export function parseCreate(raw: unknown, now: Date): CreateNoticeInput {
  const b = objectBody(raw, ['title', 'body', 'targets', 'urgent', 'sendAt']);
  if (b.targets === undefined) throw invalid('targets is required', { field: 'targets' });
  return {
    title: text(b, 'title', TITLE_MAX, true)!,
    body: text(b, 'body', BODY_MAX, true)!,
    targets: parseTargets(b.targets),
    urgent: bool(b, 'urgent') ?? false,
    sendAt: sendAt(b, now, true) ?? null,
  };
}

export interface PatchNoticeInput {
  title?: string;
  body?: string;
  targets?: NoticeTargets;
  urgent?: boolean;
  sendAt?: Date | null;
  comment?: string;
  version?: number;
}

/** Keep only the fields the body actually had (parsers return undefined for absent ones). */
function present<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/** The optional `comment` and `version` every audit action takes. */
function actionFields(b: Body, commentRequired: boolean): ActionInput {
  return present({ comment: text(b, 'comment', COMMENT_MAX, commentRequired), version: version(b) });
}

/** PATCH: any subset of the draft's fields (at least one); `sendAt: null` unschedules. */
export function parsePatch(raw: unknown, now: Date): PatchNoticeInput {
  const b = objectBody(raw, ['title', 'body', 'targets', 'urgent', 'sendAt', 'comment', 'version']);
  const changes = present<PatchNoticeInput>({
    title: text(b, 'title', TITLE_MAX, false),
    body: text(b, 'body', BODY_MAX, false),
    targets: b.targets !== undefined ? parseTargets(b.targets) : undefined,
    urgent: bool(b, 'urgent'),
    sendAt: sendAt(b, now, true),
  });
  if (!Object.keys(changes).length) throw invalid('nothing to change: give title, body, targets, urgent or sendAt');
  return { ...changes, ...actionFields(b, false) };
}

export interface EditNoticeInput {
  title?: string;
  body?: string;
  comment?: string;
  version?: number;
}

/** The `edit` duty: optional new title/body (recorded as a diff) and comment. */
export function parseEdit(raw: unknown): EditNoticeInput {
  const b = objectBody(raw, ['title', 'body', 'comment', 'version']);
  return { ...present({ title: text(b, 'title', TITLE_MAX, false), body: text(b, 'body', BODY_MAX, false) }), ...actionFields(b, false) };
}

export interface ActionInput {
  comment?: string;
  version?: number;
}

/** verify, release, cancel (comment optional) and reject (comment required). */
export function parseAction(raw: unknown, commentRequired = false): ActionInput {
  return actionFields(objectBody(raw, ['comment', 'version']), commentRequired);
}

export interface ListQuery {
  status?: AuditStatus;
  community?: string;
  limit: number;
  before?: string;
}

/** `GET /api/notices?status=&community=&limit=&before=` (before = the last id of the previous page). */
export function parseListQuery(q: Record<string, unknown>): ListQuery {
  const one = (k: string) => {
    const v = q[k];
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, { field: k });
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const out: ListQuery = { limit: 20 };
  const status = one('status');
  if (status !== undefined) {
    if (!AUDIT_STATUSES.includes(status as AuditStatus)) throw invalid(`status must be one of ${AUDIT_STATUSES.join(', ')}`, { field: 'status' });
    out.status = status as AuditStatus;
  }
  const community = one('community');
  if (community !== undefined) out.community = community;
  const limit = one('limit');
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) throw invalid('limit must be an integer 1..100', { field: 'limit' });
    out.limit = Number(limit);
  }
  const before = one('before');
  if (before !== undefined) {
    if (!/^[0-9a-f]{24}$/i.test(before)) throw invalid('before must be a notice id', { field: 'before' });
    out.before = before;
  }
  return out;
}
