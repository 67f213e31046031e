import type { Models } from '../../models/index.js';
import { noticeDeliveries } from '../broadcast/records.js';

export interface NoticeProgress {
  /** Recipients in the batches the fan-out has written so far. */
  total: number;
  sent: number;
  failed: number;
  /** Not yet finished: `pending` + `sending`. */
  pending: number;
  cancelled: number;
}

/**
 * Delivery figures of one notice, exact from its deliveries' records (its batches and their logs,
 * read by `_id`: no collection scan). While the fan-out runs, `total` grows as batches are written.
 * The staff API answers from cheaper sources where it can (queries.ts).
 */
export async function noticeProgress(models: Models, noticeId: string): Promise<NoticeProgress> {
  const p: NoticeProgress = { total: 0, sent: 0, failed: 0, pending: 0, cancelled: 0 };
  for (const d of await noticeDeliveries(models, noticeId)) {
    p.total += 1;
    if (d.status === 'pending' || d.status === 'sending') p.pending += 1;
    else p[d.status] += 1;
  }
  return p;
}
