/**
 * Booking and cancelling a slot of an allocation round for the resident's household. Eligibility
 * is checked again here (the form may be minutes old); stock, the slot's places and "one booking
 * per household" are claimed in one ledger call; then the pick-up code (unique in the round) and
 * the booking (by `_id` from round and household) are written. A claim whose write fails is
 * released. The claim's token comes from the message, so a retry finds its own booking.
 */
import { Types } from 'mongoose';
import { bookingIdFor, pickupCodeIdFor, type AllocationBooking, type AllocationRound } from '../../../models/allocation.js';
import { derivedId } from '../../../models/ids.js';
import { dayPrompt, localDate, localTime } from '../../../flows/engine/time.js';
import type { Prompt } from '../../../flows/engine/types.js';
import { slotPrompt } from '../../../flows/allocations/booking.js';
import { canBook, vulnerableWindowEnds } from '../../../flows/allocations/eligibility.js';
import { claimWithLedger, heldOf } from '../../allocations/ledger.js';
import { householdVulnerable } from '../../allocations/offers.js';
import { settleBooking } from '../../allocations/settle.js';
import { claimCode } from '../../gates/pass-code.js';
import { DEFAULT_TIME_ZONE } from '../../places/directory.js';
import type { EffectDeps, EffectHandler } from './ports.js';

/** Six characters: unique in a round of any realistic size, still easy to read out. */
export const PICKUP_CODE_LENGTH = 6;

const isId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

const pickupCode = (deps: EffectDeps, round: AllocationRound, key: string, bookingId: Types.ObjectId, token: string): Promise<string> =>
  claimCode(deps.models.PickupCode, {
    key: `pickup\u0000${key}`,
    length: PICKUP_CODE_LENGTH,
    idOf: (code) => pickupCodeIdFor(round._id, code),
    doc: { bookingId, token },
    ours: (held) => held.token === token,
  });

const booked = (round: AllocationRound, b: Pick<AllocationBooking, 'slotId' | 'quantity' | 'pickupCode'>, timeZone: string): Prompt => {
  const slot = round.slots.find((s) => s.id === b.slotId);
  return {
    key: 'allocations:booked',
    params: { item: round.item, quantity: b.quantity, code: b.pickupCode, slot: slot ? slotPrompt(slot, timeZone) : '' },
  };
};

export const bookAllocation: EffectHandler<'bookAllocation'> = async (deps, e, { resident, now, key }) => {
  const round = isId(e.roundId) ? await deps.models.AllocationRound.findById(e.roundId).lean<AllocationRound>() : null;
  if (!round) return { booking: { key: 'allocations:none_open' } };
  const timeZone = (await deps.places.community(round.communityCode))?.timeZone ?? DEFAULT_TIME_ZONE;
  const refused = (why: string, extra: Record<string, unknown> = {}) => ({
    booking: { key: `allocations:refused.${why}`, params: { item: round.item, ...extra } },
  });
  const householdKey = resident.householdId ?? resident.id;
  const bookingId = bookingIdFor(round._id, householdKey);
  const existing = await deps.models.AllocationBooking.findById(bookingId).lean<AllocationBooking>();
  if (existing?.sourceKey === key) return { booking: booked(round, existing, timeZone) };
  if (existing && (existing.status === 'booked' || existing.status === 'redeemed'))
    return { booking: { key: 'allocations:already', params: { item: round.item, code: existing.pickupCode } } };

  const r = resident.registration;
  const vulnerable = await householdVulnerable(deps.models, resident);
  const may = canBook(round, { communityCode: r?.communityCode, buildingCode: r?.buildingCode, vulnerable }, now);
  if (!may.ok) {
    const until = vulnerableWindowEnds(round);
    const when = until ? { key: 'allocations:when', params: { day: dayPrompt(localDate(until, timeZone)), time: localTime(until, timeZone) } } : '';
    return refused(may.reason, may.reason === 'vulnerable_first' ? { until: when } : {});
  }
  const slot = round.slots.find((s) => s.id === e.slotId);
  if (!slot || new Date(slot.end) <= now) return refused('slot_full');
  const quantity = Math.max(1, Math.min(round.perHousehold, Math.floor(e.quantity) || 1));
  const token = derivedId('booking-token', key).toHexString();
  const held = heldOf({ token, slotId: slot.id, quantity });
  const claim = await claimWithLedger(deps, round, householdKey, slot.id, quantity, held);
  if (!claim.ok && claim.why === 'already' && claim.held !== held) {
    const other = await deps.models.AllocationBooking.findById(bookingId).lean<AllocationBooking>();
    return other?.pickupCode && other.token === claim.held.split('|')[0]
      ? { booking: { key: 'allocations:already', params: { item: round.item, code: other.pickupCode } } }
      : { booking: { key: 'allocations:already_pending', params: { item: round.item } } };
  }
  if (!claim.ok && claim.why !== 'already') return refused(claim.why === 'sold_out' ? 'sold_out' : claim.why === 'not_ready' ? 'not_open' : 'slot_full');
  try {
    const pickup = await pickupCode(deps, round, key, bookingId, token);
    const booking = {
      roundId: round._id,
      householdKey,
      residentId: new Types.ObjectId(resident.id),
      communityCode: round.communityCode,
      ...(r ? { buildingCode: r.buildingCode, unit: r.unit, room: r.room } : {}),
      slotId: slot.id,
      quantity,
      pickupCode: pickup,
      token,
      status: 'booked',
      bookedAt: now,
      sourceKey: key,
      cancelledAt: null,
      redeemedAt: null,
      releasedAt: null,
    };
    await deps.models.AllocationBooking.collection.replaceOne({ _id: bookingId }, booking as never, { upsert: true });
    return { booking: booked(round, booking, timeZone) };
  } catch (err) {
    // Not recorded: the stock and the place go back, so nothing is held by a booking nobody has.
    await deps.allocations.release(String(round._id), householdKey, held, slot.id, quantity).catch(() => {});
    throw err;
  }
};

export const cancelAllocationBooking: EffectHandler<'cancelAllocationBooking'> = async (deps, e, { resident, now }) => {
  const round = isId(e.roundId) ? await deps.models.AllocationRound.findById(e.roundId).lean<AllocationRound>() : null;
  if (!round) return { booking: { key: 'allocations:none_open' } };
  const b = await deps.models.AllocationBooking.findById(bookingIdFor(round._id, resident.householdId ?? resident.id)).lean<AllocationBooking>();
  const nothing = { booking: { key: 'allocations:nothing_to_cancel', params: { item: round.item } } };
  if (b?.status !== 'booked') return nothing;
  const settled = await settleBooking(deps, b, 'cancelled', { id: resident.id, name: 'resident' }, now);
  if (!settled.won && settled.earlier?.outcome === 'redeemed') return { booking: { key: 'allocations:already_redeemed', params: { item: round.item } } };
  return settled.won || settled.earlier?.outcome === 'cancelled' ? { booking: { key: 'allocations:cancelled', params: { item: round.item } } } : nothing;
};
