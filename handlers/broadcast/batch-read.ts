/** A batch and its log, read by `_id` only (the batches and their entries are numbered). */
import { batchIdFor, decodeMember, type BatchMember, type DeliveryBatch } from '../../models/delivery.js';
import { logEntryIdFor, type DeliveryLogEntry } from '../../models/delivery-log.js';
import type { Models } from '../../models/index.js';
import type { BatchRef } from './ports.js';

export interface BatchRead {
  batch: DeliveryBatch;
  members: BatchMember[];
  entries: DeliveryLogEntry[];
}

/** The batch and every entry of its log; null when the batch does not exist. */
export async function readBatch(models: Models, ref: BatchRef): Promise<BatchRead | null> {
  const batch = await models.DeliveryBatch.findById(batchIdFor(ref.noticeId, ref.batchNo)).lean<DeliveryBatch>();
  if (!batch) return null;
  return { batch, members: batch.members.map(decodeMember), entries: await readLog(models, batch._id) };
}

/**
 * Entries 0, 1, … until the first missing one (entries are written in order, so there is no gap):
 * one read for a batch nobody has touched, then windows of growing size read in parallel.
 */
async function readLog(models: Models, batchId: DeliveryBatch['_id']): Promise<DeliveryLogEntry[]> {
  const entries: DeliveryLogEntry[] = [];
  for (let seq = 0, window = 1; ; seq += window, window = Math.min(window * 2, 16)) {
    const found = await Promise.all(
      Array.from({ length: window }, (_, k) => models.DeliveryLog.findById(logEntryIdFor(batchId, seq + k)).lean<DeliveryLogEntry>()),
    );
    for (const e of found) {
      if (!e) return entries;
      entries.push(e);
    }
  }
}
