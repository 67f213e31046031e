/**
 * Newest-first pages of a staff list. Many of our ids are derived from natural keys (a report's
 * resident and day), so they carry no time: pages are ordered by a time field with the id as the
 * tie-break, and `before` is the id of the last record of the previous page.
 */
import type { Model } from 'mongoose';
import { invalid } from './errors.js';

export interface Page<T> {
  items: T[];
  /** The `before` of the next page; null on the last one. */
  next: string | null;
}

export async function newestFirst<T extends { _id: unknown }>(
  model: Model<any>,
  filter: Record<string, unknown>,
  o: { timeField: string; limit: number; before?: string | undefined },
): Promise<Page<T>> {
  const and: Record<string, unknown>[] = [filter];
  if (o.before) {
    const last = await model.findById(o.before).lean<Record<string, unknown>>();
    if (!last) throw invalid('before is not a record of this list', { field: 'before', reason: 'is not a record of this list' });
    const t = last[o.timeField];
    and.push({ $or: [{ [o.timeField]: { $lt: t } }, { [o.timeField]: t, _id: { $lt: last._id } }] });
  }
  const rows = await model
    .find(and.length > 1 ? { $and: and } : filter)
    .sort({ [o.timeField]: -1, _id: -1 })
    .limit(o.limit + 1)
    .lean<T[]>();
  const items = rows.slice(0, o.limit);
  return { items, next: rows.length > o.limit ? String(items.at(-1)!._id) : null };
}
