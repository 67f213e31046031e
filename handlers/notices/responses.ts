/** What the notice routes answer, for the OpenAPI document. */
import { z } from 'zod';
import { AUDIT_STATUSES } from '../../models/audit-entry.js';
import { ScopeView } from '../staff/schemas.js';
import { TargetGroups } from './targets.js';

const status = z.enum(AUDIT_STATUSES);

export const NoticeRefView = z.object({ id: z.string(), status, version: z.number().int(), round: z.number().int() }).meta({ id: 'NoticeRef' });
export const ReleasedNoticeView = NoticeRefView.extend({ broadcastQueued: z.boolean() }).meta({ id: 'ReleasedNotice' });
export const CancelledNoticeView = NoticeRefView.extend({ fanoutRemoved: z.boolean() }).meta({ id: 'CancelledNotice' });
export const TargetCount = z.object({ count: z.number().int() }).meta({ id: 'TargetCount' });

const summary = {
  id: z.string(),
  title: z.string(),
  status,
  urgent: z.boolean(),
  sendAt: z.date().nullable(),
  scope: ScopeView,
  author: z.object({ id: z.string(), name: z.string() }),
  version: z.number().int(),
  createdAt: z.date().optional(),
  updatedAt: z.date().optional(),
};
export const NoticeSummaryView = z.object(summary).meta({ id: 'NoticeSummary' });
export const NoticeList = z.object({ notices: z.array(NoticeSummaryView), next: z.string().nullable() }).meta({ id: 'NoticeList' });

export const NoticeProgressView = z
  .object({ total: z.number().int(), sent: z.number().int(), failed: z.number().int(), pending: z.number().int(), cancelled: z.number().int() })
  .meta({ id: 'NoticeProgress' });

const performer = z.object({ id: z.string(), name: z.string(), at: z.date() }).nullable();
export const AuditEntryView = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    version: z.number().int(),
    round: z.number().int(),
    actor: z.object({ id: z.string(), name: z.string(), role: z.string() }),
    action: z.string(),
    duty: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    at: z.date(),
    comment: z.string().nullable(),
    diff: z.record(z.string(), z.unknown()).nullable(),
    meta: z.record(z.string(), z.unknown()).nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const NoticeDetail = z
  .object({
    notice: z.object({
      ...summary,
      body: z.string(),
      targets: TargetGroups.meta({ id: 'NoticeTargets' }),
      round: z.number().int(),
      duties: z.object({ verify: performer, edit: performer, release: performer }),
      releasedAt: z.date().nullable(),
      sendingAt: z.date().nullable(),
      completedAt: z.date().nullable(),
      cancelledAt: z.date().nullable(),
    }),
    audit: z.array(AuditEntryView),
    progress: NoticeProgressView,
  })
  .meta({ id: 'NoticeDetail' });
