/**
 * Every delivery of a notice, folded from its batches' logs (models/delivery.ts). Reads by `_id`
 * only — the fan-out numbered the batches — so it never scans a collection: O(batches + log
 * entries), for reports, `noticeProgress` and tests. The running figures come cheaper from the
 * tally (progress.ts).
 */
import { Types } from 'mongoose';
import { foldBatchLog, type Delivery } from '../../models/delivery-log.js';
import type { Models } from '../../models/index.js';
import { readBatch } from './batch-read.js';

const PARALLEL = 8;

export async function noticeDeliveries(models: Models, noticeId: string): Promise<Delivery[]> {
  if (!Types.ObjectId.isValid(noticeId)) return [];
  const notice = await models.Notice.findById(noticeId, { status: 1 }).lean<{ status: string }>();
  const cancelled = notice?.status === 'cancelled';
  const out: Delivery[] = [];
  // Batches are written in order, so the first missing number is the end.
  for (let first = 0; ; first += PARALLEL) {
    const reads = await Promise.all(Array.from({ length: PARALLEL }, (_, k) => readBatch(models, { noticeId, batchNo: first + k })));
    for (const r of reads) {
      if (!r) return out;
      out.push(...foldBatchLog(r.batch, r.entries, cancelled));
    }
  }
}
