/**
 * The rounds a resident's household may book, as the booking form shows them: open rounds of
 * their community that they are eligible for now (or will be, once a vulnerable-first window
 * closes), with the live figures from the ledger and the household's booking.
 */
import type { Models } from '../../models/index.js';
import { bookingIdFor, type AllocationBooking, type AllocationRound } from '../../models/allocation.js';
import type { Household } from '../../models/household.js';
import type { AllocationOfferFact } from '../../flows/engine/facts.js';
import { canBook, vulnerableWindowEnds } from '../../flows/allocations/eligibility.js';
import type { ResidentView } from '../inbound/touch-resident.js';
import type { Clock } from '../ports.js';
import { remainingOf, type AllocationLedger } from './ledger.js';

export interface OfferDeps {
  models: Models;
  allocations: AllocationLedger;
  clock: Clock;
}

/** Whether the resident's household counts as vulnerable (their own flags, or the household's). */
export async function householdVulnerable(models: Models, r: Pick<ResidentView, 'vulnerable' | 'householdId'>): Promise<boolean> {
  if (r.vulnerable.length) return true;
  return !!r.householdId && !!(await models.Household.findById(r.householdId).lean<Household>())?.isVulnerable;
}

export async function allocationOffers(deps: OfferDeps, r: ResidentView, now: Date): Promise<AllocationOfferFact[]> {
  const reg = r.registration;
  if (!reg) return [];
  const rounds = await deps.models.AllocationRound.find({ communityCode: reg.communityCode, status: 'open' }).sort({ releasedAt: 1 }).lean<AllocationRound[]>();
  if (!rounds.length) return [];
  const vulnerable = await householdVulnerable(deps.models, r);
  const householdKey = r.householdId ?? r.id;
  const offers: AllocationOfferFact[] = [];
  for (const round of rounds) {
    const may = canBook(round, { communityCode: reg.communityCode, buildingCode: reg.buildingCode, vulnerable }, now);
    if (!may.ok && may.reason !== 'vulnerable_first') continue;
    const b = await deps.models.AllocationBooking.findById(bookingIdFor(round._id, householdKey)).lean<AllocationBooking>();
    if (b?.status === 'redeemed') continue; // handed out already
    const left = await remainingOf(deps, round);
    offers.push({
      id: String(round._id),
      item: round.item,
      perHousehold: round.perHousehold,
      stock: round.stock,
      left: left.stock,
      slots: round.slots.map((s) => ({ id: s.id, start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), left: left.slots[s.id] ?? 0 })),
      ...(b?.status === 'booked'
        ? { booking: { slotId: b.slotId, quantity: b.quantity, pickupCode: b.pickupCode, bookedBy: String(b.residentId) === r.id ? 'me' : 'household' } }
        : {}),
      ...(may.ok ? {} : { opensAt: vulnerableWindowEnds(round)!.toISOString() }),
    });
  }
  return offers;
}
