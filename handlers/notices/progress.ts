import { Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import type { DeliveryStatus } from '../../models/delivery.js';

export interface NoticeProgress {
  /** Delivery records created so far by the fan-out. */
  total: number;
  sent: number;
  failed: number;
  /** Not yet finished: `pending` + `sending`. */
  pending: number;
  cancelled: number;
}

/**
 * Delivery figures of one notice, counted from its Delivery records (one `$match` + `$group`,
 * both supported by FerretDB 1.x). While the fan-out runs, `total` grows as records are created.
 */
export async function noticeProgress(models: Models, noticeId: string): Promise<NoticeProgress> {
  const rows = await models.Delivery.aggregate<{ _id: DeliveryStatus; n: number }>([
    { $match: { noticeId: new Types.ObjectId(noticeId) } },
    { $group: { _id: '$status', n: { $sum: 1 } } },
  ]);
  const by = Object.fromEntries(rows.map((r) => [r._id, r.n])) as Partial<Record<DeliveryStatus, number>>;
  const n = (s: DeliveryStatus) => by[s] ?? 0;
  return {
    total: rows.reduce((sum, r) => sum + r.n, 0),
    sent: n('sent'),
    failed: n('failed'),
    pending: n('pending') + n('sending'),
    cancelled: n('cancelled'),
  };
}
