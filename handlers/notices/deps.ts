import type { Models } from '../../models/index.js';
import type { Notice } from '../../models/notice.js';
import type { AuditDeps, AuditTarget } from '../audit/workflow.js';
import { loadSubject } from '../audit/workflow.js';
import type { BroadcastPort, HandlerLog } from '../ports.js';

/** What the notice use cases need; the rim builds it from the runtime. */
export interface NoticeDeps extends AuditDeps {
  broadcast: BroadcastPort;
  log?: HandlerLog;
}

/** The author-owned content of a notice: the create entry records all of it, updates and edits their diff. */
export const CONTENT_FIELDS = ['title', 'body', 'targets', 'urgent', 'sendAt'] as const;

/** Notices as an audited subject: entries filed under `notice`, and how they project onto the document. */
export const noticeTarget = (models: Models): AuditTarget => ({
  subjectType: 'notice',
  noun: 'notice',
  model: models.Notice,
  contentFields: CONTENT_FIELDS,
  decode: (field, value) => (field === 'sendAt' ? (value ? new Date(value as string) : null) : value),
  stamps: { release: 'releasedAt', sending: 'sendingAt', complete: 'completedAt', cancel: 'cancelledAt' },
});

/** A notice (404 when missing), its audit trail complete. */
export function loadNotice(models: Models, id: string): Promise<Notice> {
  return loadSubject<Notice>(models, noticeTarget(models), id);
}
