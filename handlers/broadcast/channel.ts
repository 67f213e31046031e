/**
 * Which channel each recipient of a batch gets (wechat-protocol.md §8): a customer-service message
 * while the resident's 48-hour window is open and its 5-message budget is not spent, otherwise
 * the template message. The window is the one the fan-out read (`BatchMember.inboundAt`, from the
 * resident cache where it holds the resident); the budget is reserved through the `KfBudget` port
 * for the whole batch at once, seeded with the messages the fan-out saw spent. A window that
 * opened after the fan-out is not seen: those residents get the template, which is always allowed.
 */
import { Types } from 'mongoose';
import type { BatchMember, DeliveryChannel } from '../../models/delivery.js';
import type { Models } from '../../models/index.js';
import type { KfBudget, KfCandidate } from './ports.js';

export const KF_WINDOW_MS = 48 * 3600_000;
export const KF_BUDGET = 5;

export const windowOpen = (lastInboundAt: Date | null | undefined, now: Date): boolean =>
  !!lastInboundAt && now.getTime() - new Date(lastInboundAt).getTime() < KF_WINDOW_MS;

/** Parallel reads of residents when there is no template (see below). */
const LOOKUP_PARALLEL = 8;

/**
 * The channel per member (null: no template configured and no customer-service message left).
 * With no template to fall back on, a member whose window was closed at fan-out is looked up
 * again, since its resident may have written since — one read each, only in that configuration.
 */
export async function chooseChannels(
  deps: { models: Models; budget: KfBudget },
  members: BatchMember[],
  now: Date,
  hasTemplate: boolean,
): Promise<Array<DeliveryChannel | null>> {
  const candidates = new Map<number, KfCandidate>();
  const lookups: number[] = [];
  members.forEach((m, i) => {
    if (m.inboundAt && windowOpen(m.inboundAt, now)) candidates.set(i, { residentId: m.residentId, openid: m.openid, inboundAt: m.inboundAt, spent: m.kfSent });
    else if (!hasTemplate) lookups.push(i);
  });
  for (let k = 0; k < lookups.length; k += LOOKUP_PARALLEL) {
    await Promise.all(
      lookups.slice(k, k + LOOKUP_PARALLEL).map(async (i) => {
        const m = members[i]!;
        const r = await deps.models.Resident.findById(new Types.ObjectId(m.residentId), { lastInboundAt: 1, kfSentSinceInbound: 1 }).lean<{
          lastInboundAt?: Date | null;
          kfSentSinceInbound?: number;
        }>();
        if (r?.lastInboundAt && windowOpen(r.lastInboundAt, now))
          candidates.set(i, { residentId: m.residentId, openid: m.openid, inboundAt: r.lastInboundAt, spent: r.kfSentSinceInbound ?? 0 });
      }),
    );
  }
  const order = [...candidates.keys()];
  const granted = order.length
    ? await deps.budget.reserve(
        order.map((i) => candidates.get(i)!),
        now,
      )
    : [];
  const out = members.map((): DeliveryChannel | null => (hasTemplate ? 'template' : null));
  order.forEach((i, k) => {
    if (granted[k]) out[i] = 'kf';
  });
  return out;
}
