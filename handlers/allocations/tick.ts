/**
 * The allocation rounds' clock, run every minute: when a vulnerable-first window closes the offer
 * goes to everyone else; when a slot ends, its bookings not handed out are released (no-shows)
 * and their stock goes back; a round whose slots are all over is closed.
 */
import type { AllocationBooking, AllocationRound } from '../../models/allocation.js';
import { vulnerableWindowEnds } from '../../flows/allocations/eligibility.js';
import { sendOffer } from './offer.js';
import { settleBooking } from './settle.js';
import type { AllocationDeps } from './staff-allocations.js';

export interface TickRun {
  round: string;
  offeredOthers?: number;
  released: number;
  closed: boolean;
}

const SYSTEM = { id: 'system', name: 'no-show release' };

export async function allocationTick(deps: Omit<AllocationDeps, 'places'>): Promise<TickRun[]> {
  const now = deps.clock.now();
  const out: TickRun[] = [];
  for (const round of await deps.models.AllocationRound.find({ status: 'open' }).lean<AllocationRound[]>()) {
    const run: TickRun = { round: String(round._id), released: 0, closed: false };
    const until = vulnerableWindowEnds(round);
    if (until && now >= until && !round.secondWaveAt) {
      run.offeredOthers = await sendOffer(deps, round, 'others');
      await deps.models.AllocationRound.updateOne({ _id: round._id }, { $set: { secondWaveAt: now } });
    }
    const done = new Set(round.noShowsReleased ?? []);
    for (const slot of round.slots.filter((s) => new Date(s.end) <= now && !done.has(s.id))) {
      const held = await deps.models.AllocationBooking.find({ roundId: round._id, slotId: slot.id, status: 'booked' }).lean<AllocationBooking[]>();
      for (const b of held) if ((await settleBooking(deps, b, 'released', SYSTEM, now)).won) run.released++;
      await deps.models.AllocationRound.updateOne({ _id: round._id }, { $addToSet: { noShowsReleased: slot.id } });
      done.add(slot.id);
    }
    if (round.slots.every((s) => done.has(s.id))) {
      await deps.models.AllocationRound.updateOne({ _id: round._id, status: 'open' }, { $set: { status: 'closed', closedAt: now } });
      run.closed = true;
    }
    if (run.offeredOthers !== undefined || run.released || run.closed) out.push(run);
  }
  return out;
}
