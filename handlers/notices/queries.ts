import { Types } from 'mongoose';
import type { z } from 'zod';
import type { NoticeDetail } from './responses.js';
import type { Models } from '../../models/index.js';
import type { AuditEntry } from '../../models/audit-entry.js';
import type { Notice } from '../../models/notice.js';
import { notFound } from '../errors.js';
import { requireScope, type Actor, type ScopeTarget } from '../staff/access.js';
import { communityScope } from '../places/communities.js';
import { auditTrail, roundDuties } from '../audit/chain.js';
import { loadNotice } from './deps.js';
import { noticeProgress, type NoticeProgress } from './progress.js';
import type { ListQuery } from './validate.js';

/** Where a notice lives, for the route's scope policy (404 when it does not exist). */
export async function noticeScope(models: Models, id: string): Promise<ScopeTarget> {
  const n = /^[0-9a-f]{24}$/i.test(id) ? await models.Notice.findById(id, { scope: 1 }).lean<Pick<Notice, 'scope'>>() : null;
  if (!n) throw notFound('notice');
  return { ...n.scope };
}

export const auditEntryView = (e: AuditEntry) => ({
  id: String(e._id),
  seq: e.seq,
  version: e.version,
  round: e.round,
  actor: { id: e.actorId, name: e.actorName, role: e.role },
  action: e.action,
  duty: e.duty ?? null,
  from: e.from ?? null,
  to: e.to ?? null,
  at: e.at,
  comment: e.comment ?? null,
  diff: e.diff ?? null,
  meta: e.meta ?? null,
  prevHash: e.prevHash,
  hash: e.hash,
});

const summaryView = (n: Notice) => ({
  id: String(n._id),
  title: n.title,
  status: n.status,
  urgent: n.urgent,
  sendAt: n.sendAt ?? null,
  scope: n.scope,
  author: { id: n.authorId, name: n.authorName },
  version: n.version,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

/** `GET /api/notices/:id`: the notice, who performed each duty this round, its trail and delivery progress. */
/** A cheaper progress source for a broadcast that is running or was cancelled (the broadcast's live tally). */
export type LiveProgress = (noticeId: string, o: { cancelled: boolean }) => Promise<NoticeProgress>;

/**
 * Progress without reading every batch where we can: the live tally while the broadcast runs or
 * once it is cancelled, the figures recorded in the `complete` audit entry once it is done, the
 * exact count from the batches otherwise (O(batches) reads by `_id`; nothing before the fan-out).
 */
async function progressOf(models: Models, n: Notice, trail: AuditEntry[], live?: LiveProgress): Promise<NoticeProgress> {
  const id = String(n._id);
  if (n.status === 'completed') {
    const meta = trail.findLast((e) => e.action === 'complete')?.meta as Partial<NoticeProgress> | undefined;
    if (meta && typeof meta.total === 'number')
      return { total: meta.total, sent: meta.sent ?? 0, failed: meta.failed ?? 0, pending: 0, cancelled: meta.cancelled ?? 0 };
  }
  if (live && (n.status === 'sending' || (n.status === 'cancelled' && trail.some((e) => e.action === 'sending'))))
    return live(id, { cancelled: n.status === 'cancelled' });
  return noticeProgress(models, id);
}

export async function getNotice(models: Models, id: string, live?: LiveProgress): Promise<z.input<typeof NoticeDetail>> {
  const n = await loadNotice(models, id);
  const trail = await auditTrail(models, 'notice', id);
  return {
    notice: {
      ...summaryView(n),
      body: n.body,
      targets: n.targets,
      round: n.round,
      duties: roundDuties(trail, n.round),
      releasedAt: n.releasedAt ?? null,
      sendingAt: n.sendingAt ?? null,
      completedAt: n.completedAt ?? null,
      cancelledAt: n.cancelledAt ?? null,
    },
    audit: trail.map(auditEntryView),
    progress: await progressOf(models, n, trail, live),
  };
}

/** Notices inside the actor's scope, as a query (matches `inScope(actor, notice.scope)`); null = none. */
function scopeQuery(actor: Actor): Record<string, unknown> | null {
  const s = actor.scope;
  if (s.buildingCode) return { 'scope.communityCode': s.communityCode, 'scope.buildingCode': s.buildingCode };
  if (s.communityCode) return { 'scope.communityCode': s.communityCode };
  if (s.streetCode) return { 'scope.streetCode': s.streetCode };
  return actor.role === 'admin' ? {} : null;
}

/**
 * `GET /api/notices`: newest first, in scope; `next` is the `before` of the following page.
 * `community` must be in the caller's scope (403 forbidden_scope, 404 when unknown).
 */
export async function listNotices(models: Models, actor: Actor, q: ListQuery): Promise<{ notices: ReturnType<typeof summaryView>[]; next: string | null }> {
  if (q.community) requireScope(actor, [await communityScope(models, q.community)]);
  const scope = scopeQuery(actor);
  if (!scope) return { notices: [], next: null };
  const filter: Record<string, unknown> = { ...scope };
  if (q.status) filter.status = q.status;
  if (q.community) filter['scope.communityCode'] = q.community;
  if (q.before) filter._id = { $lt: new Types.ObjectId(q.before) };
  const rows = await models.Notice.find(filter, { createEntry: 0 })
    .sort({ _id: -1 })
    .limit(q.limit + 1)
    .lean<Notice[]>();
  const page = rows.slice(0, q.limit);
  return { notices: page.map(summaryView), next: rows.length > q.limit ? String(page.at(-1)!._id) : null };
}
