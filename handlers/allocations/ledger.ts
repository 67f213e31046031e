/**
 * The allocation ledger: a round's stock, each slot's places and which household holds a booking,
 * kept where one claim can check and take all three at once (Redis, one Lua script; see
 * `bot/allocations/ledger.ts`). MongoDB holds the bookings themselves, and the ledger is rebuilt
 * from them whenever it has no state for a round (a Redis loss, a round released before this
 * process ran): a claim on a round without state is refused `not_ready`, the caller reconciles
 * and claims again.
 */
import type { Models } from '../../models/index.js';
import type { AllocationBooking, AllocationRound } from '../../models/allocation.js';

export type ClaimOutcome =
  | { ok: true }
  | { ok: false; why: 'sold_out' | 'slot_full' | 'no_slot' | 'not_ready' }
  /** The household holds a booking already; `held` is its claim (`token|slot|quantity`). */
  | { ok: false; why: 'already'; held: string };

export interface LedgerState {
  stock: number;
  slots: Record<string, number>;
  /** householdKey → `token|slot|quantity` of its booking. */
  households: Record<string, string>;
}

export interface AllocationLedger {
  claim(roundId: string, householdKey: string, slotId: string, quantity: number, held: string): Promise<ClaimOutcome>;
  /** Give a booking's stock and place back, if the household still holds exactly `held`. */
  release(roundId: string, householdKey: string, held: string, slotId: string, quantity: number): Promise<boolean>;
  /** Set the round's state unless it has one already (false then); it expires after `ttlSeconds`. */
  load(roundId: string, state: LedgerState, ttlSeconds: number): Promise<boolean>;
  /** Stock and places left, or null when the ledger has no state for the round. */
  remaining(roundId: string): Promise<{ stock: number; slots: Record<string, number> } | null>;
}

/** A booking's claim as the ledger holds it. */
export const heldOf = (b: Pick<AllocationBooking, 'token' | 'slotId' | 'quantity'>) => `${b.token}|${b.slotId}|${b.quantity}`;

/** Bookings that hold stock. */
export const HOLDING: AllocationBooking['status'][] = ['booked', 'redeemed'];

/** The ledger's state as MongoDB's bookings say it should be. */
export async function stateFromBookings(models: Models, round: AllocationRound): Promise<LedgerState> {
  const holding = await models.AllocationBooking.find({ roundId: round._id, status: { $in: HOLDING } }).lean<AllocationBooking[]>();
  const slots = Object.fromEntries(round.slots.map((s) => [s.id, s.capacity]));
  let stock = round.stock;
  const households: Record<string, string> = {};
  for (const b of holding) {
    stock -= b.quantity;
    if (b.slotId in slots) slots[b.slotId]! -= 1;
    households[b.householdKey] = heldOf(b);
  }
  return { stock: Math.max(0, stock), slots, households };
}

/** Keep a round's ledger a week past its last slot. */
export function ledgerTtlSeconds(round: AllocationRound, now: Date): number {
  const last = Math.max(...round.slots.map((s) => new Date(s.end).getTime()), now.getTime());
  return Math.ceil((last - now.getTime()) / 1000) + 7 * 24 * 3600;
}

/** Claim, rebuilding the ledger from MongoDB first when it has no state for the round. */
export async function claimWithLedger(
  deps: { models: Models; allocations: AllocationLedger; clock: { now(): Date } },
  round: AllocationRound,
  householdKey: string,
  slotId: string,
  quantity: number,
  held: string,
): Promise<ClaimOutcome> {
  const id = String(round._id);
  const first = await deps.allocations.claim(id, householdKey, slotId, quantity, held);
  if (first.ok || first.why !== 'not_ready') return first;
  await deps.allocations.load(id, await stateFromBookings(deps.models, round), ledgerTtlSeconds(round, deps.clock.now()));
  return deps.allocations.claim(id, householdKey, slotId, quantity, held);
}

/** What is left, from the ledger (rebuilt when missing). */
export async function remainingOf(deps: { models: Models; allocations: AllocationLedger; clock: { now(): Date } }, round: AllocationRound) {
  const id = String(round._id);
  const live = await deps.allocations.remaining(id);
  if (live) return live;
  await deps.allocations.load(id, await stateFromBookings(deps.models, round), ledgerTtlSeconds(round, deps.clock.now()));
  return (await deps.allocations.remaining(id)) ?? { stock: 0, slots: {} };
}
