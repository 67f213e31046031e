/**
 * Ending a booking — handed out, cancelled, or released as a no-show — exactly once: the outcome
 * is a unique `_id` insert (from the booking and its token), so of a redemption at the desk and a
 * cancel in chat at the same moment one wins and the other is told what happened. The winner then
 * updates the booking and, unless it was handed out, gives its stock and place back.
 */
import type { Models } from '../../models/index.js';
import { bookingOutcomeIdFor, type AllocationBooking, type BookingOutcome, type BookingOutcomeKind } from '../../models/allocation.js';
import { isDuplicateKey } from '../gates/pass-code.js';
import { heldOf, type AllocationLedger } from './ledger.js';

const STATUS: Record<BookingOutcomeKind, AllocationBooking['status']> = { redeemed: 'redeemed', cancelled: 'cancelled', released: 'released' };
const STAMP: Record<BookingOutcomeKind, string> = { redeemed: 'redeemedAt', cancelled: 'cancelledAt', released: 'releasedAt' };

export type Settled = { won: true; at: Date } | { won: false; earlier: BookingOutcome | null };

export async function settleBooking(
  deps: { models: Models; allocations: AllocationLedger },
  b: AllocationBooking,
  outcome: BookingOutcomeKind,
  by: { id: string; name?: string },
  now: Date,
): Promise<Settled> {
  const _id = bookingOutcomeIdFor(b._id, b.token);
  try {
    await deps.models.BookingOutcome.collection.insertOne({
      _id,
      bookingId: b._id,
      roundId: b.roundId,
      outcome,
      at: now,
      by: by.id,
      ...(by.name ? { byName: by.name } : {}),
    } as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { won: false, earlier: await deps.models.BookingOutcome.findById(_id).lean<BookingOutcome>() };
  }
  await deps.models.AllocationBooking.updateOne(
    { _id: b._id, token: b.token },
    { $set: { status: STATUS[outcome], [STAMP[outcome]]: now, ...(outcome === 'redeemed' ? { redeemedBy: by.name ?? by.id } : {}) } },
  );
  // Recorded first: a failure before the release holds stock back (the safe side) rather than handing it out twice.
  if (outcome !== 'redeemed') await deps.allocations.release(String(b.roundId), b.householdKey, heldOf(b), b.slotId, b.quantity);
  return { won: true, at: now };
}
