/**
 * Which channel a delivery uses (wechat-protocol.md §8): a customer-service message while the
 * resident's 48-hour window is open and its 5-message budget is not spent, otherwise the
 * template message. The budget (`Resident.kfSentSinceInbound`, reset by every inbound message)
 * is reserved with an `$inc` by `_id` checked afterwards, and handed back when WeChat refused the
 * send; on MongoDB the `$inc` is atomic, on FerretDB 1.x a lost update can overspend, which
 * WeChat answers with 45047 and the delivery falls back to the template.
 */
import type { Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import type { DeliveryChannel } from '../../models/delivery.js';

export const KF_WINDOW_MS = 48 * 3600_000;
export const KF_BUDGET = 5;

export const windowOpen = (lastInboundAt: Date | null | undefined, now: Date): boolean =>
  !!lastInboundAt && now.getTime() - new Date(lastInboundAt).getTime() < KF_WINDOW_MS;

interface BudgetView {
  lastInboundAt?: Date | null;
  kfSentSinceInbound?: number | null;
}

/**
 * Reserve one customer-service message for the resident, or say why not. `inboundHint` is the
 * resident's lastInboundAt when the fan-out read it: a window closed then is treated as closed
 * (no database round trip) unless there is no template to fall back on.
 */
export async function chooseChannel(
  models: Models,
  d: { residentId: Types.ObjectId; inboundAt?: Date | null },
  now: Date,
  hasTemplate: boolean,
): Promise<DeliveryChannel | null> {
  const fallback: DeliveryChannel | null = hasTemplate ? 'template' : null;
  if (hasTemplate && !windowOpen(d.inboundAt, now)) return 'template';
  const r = await models.Resident.findById(d.residentId).lean<BudgetView>();
  if (!r || !windowOpen(r.lastInboundAt, now) || (r.kfSentSinceInbound ?? 0) >= KF_BUDGET) return fallback;
  // No projection: FerretDB 1.x does not implement findAndModify's `fields`.
  const after = await models.Resident.findOneAndUpdate(
    { _id: d.residentId },
    { $inc: { kfSentSinceInbound: 1 } },
    { returnDocument: 'after' },
  ).lean<BudgetView>();
  if (after && windowOpen(after.lastInboundAt, now) && (after.kfSentSinceInbound ?? 0) <= KF_BUDGET) return 'kf';
  if (after) await refundKf(models, d.residentId); // a concurrent send took the last one
  return fallback;
}

/** Give a reserved message back (WeChat answered an error, so nothing was sent). */
export async function refundKf(models: Models, residentId: Types.ObjectId): Promise<void> {
  await models.Resident.updateOne({ _id: residentId }, { $inc: { kfSentSinceInbound: -1 } });
}

/** WeChat says the budget is spent (45047): stop trying until the resident writes again. */
export async function spendKfBudget(models: Models, residentId: Types.ObjectId): Promise<void> {
  await models.Resident.updateOne({ _id: residentId }, { $max: { kfSentSinceInbound: KF_BUDGET } });
}
