/**
 * Booking a scarce item (预约 / book): the rounds open to the household now, the round's figures
 * (stock, booked, left — the same as the public summary), a pick-up slot among those with room,
 * how many (when a household may take more than one), and the booking — claimed atomically by
 * the effect, which answers with the pick-up code or why there was none (`booking`). A household
 * that has booked sees its booking and may keep or cancel it.
 *
 * Personal data kept: the household's booking (slot, quantity, pick-up code, who booked).
 */
import { choice, number } from '../engine/parsers.js';
import { dayPrompt, localDate, localTime } from '../engine/time.js';
import { DONE, type Answers, type ConversationContext, type FlowDefinition, type Option, type Prompt } from '../engine/types.js';
import type { AllocationOfferFact } from '../engine/facts.js';

/** Rounds the household may book now (a vulnerable-first round opens to the rest later). */
const offers = (ctx: ConversationContext) => (ctx.facts.allocationOffers ?? []).filter((o) => !o.opensAt);
const offerOf = (a: Answers, ctx: ConversationContext) => offers(ctx).find((o) => o.id === a.round);

/** `11月28日 14:00–15:00` in the community's time (with the places left, as an option). */
export function slotPrompt(slot: { start: string | Date; end: string | Date }, timeZone: string, left?: number): Prompt {
  const start = new Date(slot.start);
  const params = { day: dayPrompt(localDate(start, timeZone)), from: localTime(start, timeZone), to: localTime(new Date(slot.end), timeZone) };
  return left === undefined ? { key: 'allocations:slot', params } : { key: 'allocations:slot_option', params: { ...params, left } };
}

/** Slots a resident may still choose: not over, with room. */
const openSlots = (o: AllocationOfferFact, ctx: ConversationContext) => o.slots.filter((s) => s.left > 0 && new Date(s.end) > ctx.now);

const slotOptions = (ctx: ConversationContext, a: Answers): Option[] => {
  const o = offerOf(a, ctx);
  return o ? openSlots(o, ctx).map((s) => ({ value: s.id, label: slotPrompt(s, ctx.timeZone, s.left) })) : [];
};

const figures = (o: AllocationOfferFact): Prompt => ({
  key: 'allocations:figures',
  params: { item: o.item, stock: o.stock, booked: o.stock - o.left, left: o.left, limit: o.perHousehold },
});

function bookingPrompt(o: AllocationOfferFact, ctx: ConversationContext): Prompt {
  const b = o.booking!;
  const slot = o.slots.find((s) => s.id === b.slotId);
  return {
    key: b.bookedBy === 'me' ? 'allocations:manage.mine' : 'allocations:manage.household',
    params: { item: o.item, quantity: b.quantity, code: b.pickupCode, slot: slot ? slotPrompt(slot, ctx.timeZone) : '' },
  };
}

export const bookingFlow: FlowDefinition = {
  id: 'booking',
  version: 1,
  title: { key: 'allocations:title' },
  requiresRegistration: true,
  needs: ['allocationOffers'],
  start(ctx) {
    const list = offers(ctx);
    const later = (ctx.facts.allocationOffers ?? []).find((o) => o.opensAt);
    if (!list.length && later) {
      const at = new Date(later.opensAt!);
      const until = { key: 'allocations:when', params: { day: dayPrompt(localDate(at, ctx.timeZone)), time: localTime(at, ctx.timeZone) } };
      return { outcome: { replies: [{ key: 'allocations:refused.vulnerable_first', params: { item: later.item, until } }] } };
    }
    if (!list.length) return { outcome: { replies: [{ key: 'allocations:none_open' }] } };
    return list.length === 1 ? { answers: { round: list[0]!.id } } : {};
  },
  steps: [
    {
      id: 'round',
      ask: { key: 'allocations:round.ask' },
      parse: choice((ctx) =>
        offers(ctx).map((o) => ({ value: o.id, label: { key: 'allocations:round.option', params: { item: o.item, left: o.left } }, aliases: [o.item] })),
      ),
      when: (a) => !a.round,
    },
    {
      id: 'manage',
      ask: (a, ctx) => bookingPrompt(offerOf(a, ctx)!, ctx),
      parse: choice([
        { value: 'keep', label: { key: 'allocations:manage.keep' }, aliases: ['保留', '不变', '不用', 'keep', 'ok'] },
        { value: 'cancel', label: { key: 'allocations:manage.cancel' }, aliases: ['取消预约', '退订', '不要了', 'cancel booking', 'cancel it'] },
      ]),
      when: (a, ctx) => !!offerOf(a, ctx)?.booking,
      // (A skipped step's `next` is followed too: without a booking, on to the slots.)
      next: (a) => (a.manage ? DONE : 'slot'),
    },
    {
      id: 'slot',
      ask: (a, ctx) => ({ key: 'allocations:slot_ask', params: { figures: figures(offerOf(a, ctx)!) } }),
      parse: choice(slotOptions),
      when: (a, ctx) => slotOptions(ctx, a).length > 0 && offerOf(a, ctx)!.left > 0,
    },
    {
      id: 'quantity',
      ask: (a, ctx) => ({ key: 'allocations:quantity_ask', params: { max: Math.min(offerOf(a, ctx)!.perHousehold, offerOf(a, ctx)!.left) } }),
      parse: {
        kind: 'number',
        parse: (text, ctx, a) => {
          const o = offerOf(a, ctx)!;
          return number({ min: 1, max: Math.min(o.perHousehold, o.left), integer: true, unit: /(份|个|盒|支|件|units?|boxes|box|kits?)$/i }).parse(
            text,
            ctx,
            a,
          );
        },
      },
      when: (a, ctx) => !!a.slot && (offerOf(a, ctx)?.perHousehold ?? 1) > 1,
    },
  ],
  finish(a, ctx) {
    const o = offerOf(a, ctx);
    if (!o) return { replies: [{ key: 'allocations:none_open' }] };
    if (a.manage === 'keep') return { replies: [{ key: 'allocations:kept', params: { code: o.booking!.pickupCode } }] };
    if (a.manage === 'cancel') return { effects: [{ type: 'cancelAllocationBooking', roundId: o.id }], replies: [{ key: 'allocations:outcome' }] };
    if (!a.slot) return { replies: [figures(o), { key: 'allocations:sold_out' }] };
    return {
      effects: [{ type: 'bookAllocation', roundId: o.id, slotId: String(a.slot), quantity: Number(a.quantity ?? 1) }],
      replies: [{ key: 'allocations:outcome' }],
    };
  },
};
