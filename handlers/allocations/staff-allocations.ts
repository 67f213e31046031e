/**
 * Allocation rounds for staff: create (a draft, or released at once), release (the ledger is
 * loaded and the offer goes out through the bulk messages — to vulnerable households first when
 * the round says so), close, list, read, redeem a pick-up code (once), and the public summary
 * (stock, booked, redeemed, left; no personal data).
 */
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import { pickupCodeIdFor, type AllocationBooking, type AllocationRound } from '../../models/allocation.js';
import { AppError, invalid, notFound } from '../errors.js';
import { normalizeCode } from '../gates/pass-code.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { Clock } from '../ports.js';
import { inScope, requireScope, type Actor } from '../staff/access.js';
import type { CreateRoundBody, RedeemBody, RoundsQuery, RoundView } from './schemas.js';
import { ledgerTtlSeconds, stateFromBookings, type AllocationLedger } from './ledger.js';
import { sendOffer } from './offer.js';
import { settleBooking } from './settle.js';

export interface AllocationDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
  allocations: AllocationLedger;
  bulk: BulkMessages;
}

const isId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

export async function loadRound(models: Models, id: string): Promise<AllocationRound> {
  const r = isId(id) ? await models.AllocationRound.findById(id).lean<AllocationRound>() : null;
  if (!r) throw notFound('allocation round');
  return r;
}

/** Where a round sits in the scope tree (404 when there is none). */
export const roundScope = async (models: Models, id: string) => {
  const r = await loadRound(models, id);
  return { streetCode: r.streetCode, communityCode: r.communityCode };
};

const roundView = (r: AllocationRound): z.input<typeof RoundView> => ({
  id: String(r._id),
  community: r.communityCode,
  item: r.item,
  stock: r.stock,
  perHousehold: r.perHousehold,
  slots: r.slots.map((s) => ({ id: s.id, start: s.start, end: s.end, capacity: s.capacity })),
  eligibility: r.eligibility,
  status: r.status,
  createdAt: r.createdAt,
  createdBy: r.createdByName,
  releasedAt: r.releasedAt ?? null,
  closedAt: r.closedAt ?? null,
});

export async function createRound(deps: AllocationDeps, actor: Actor, b: z.output<typeof CreateRoundBody>) {
  const c = await deps.places.community(b.community);
  if (!c) throw notFound(`community "${b.community}"`);
  requireScope(actor, [{ streetCode: c.streetCode, communityCode: c.code }]);
  const now = deps.clock.now();
  const slots = b.slots.map((s, i) => ({ id: `s${i + 1}`, start: new Date(s.start), end: new Date(s.end), capacity: s.capacity }));
  for (const [i, s] of slots.entries()) {
    if (s.end <= s.start) throw invalid(`slots item ${i + 1}: end must be after start`, { field: 'slots' });
    if (s.end <= now) throw invalid(`slots item ${i + 1}: already over`, { field: 'slots' });
  }
  const unknown = (b.eligibility.buildings ?? []).filter((code) => !c.buildings.some((x) => x.code === code));
  if (unknown.length) throw invalid(`eligibility.buildings: ${unknown.join(', ')} not in ${c.code}`, { field: 'eligibility.buildings' });
  const round: AllocationRound = {
    _id: new Types.ObjectId(),
    communityCode: c.code,
    streetCode: c.streetCode,
    item: b.item,
    stock: b.stock,
    perHousehold: b.perHousehold,
    slots,
    eligibility: b.eligibility,
    status: 'draft',
    createdAt: now,
    createdBy: actor.id,
    createdByName: actor.name,
    releasedAt: null,
    closedAt: null,
    secondWaveAt: null,
    noShowsReleased: [],
  };
  await deps.models.AllocationRound.collection.insertOne(round as never);
  return b.release ? releaseRound(deps, actor, String(round._id)) : roundView(round);
}

/** Open the round: its ledger is loaded, and the offer goes out (vulnerable households first, when it says so). */
export async function releaseRound(deps: AllocationDeps, actor: Actor, id: string) {
  const r = await loadRound(deps.models, id);
  if (r.status !== 'draft') throw new AppError('conflict_state', `the round is ${r.status}, not a draft`, { status: r.status });
  const now = deps.clock.now();
  await deps.models.AllocationRound.updateOne({ _id: r._id, status: 'draft' }, { $set: { status: 'open', releasedAt: now, releasedBy: actor.id } });
  const open = { ...r, status: 'open' as const, releasedAt: now };
  await deps.allocations.load(id, await stateFromBookings(deps.models, open), ledgerTtlSeconds(open, now));
  const offered = await sendOffer(deps, open, open.eligibility.vulnerableFirstHours ? 'vulnerable' : 'everyone');
  return { ...roundView(open), offered };
}

export async function closeRound(deps: AllocationDeps, id: string) {
  const r = await loadRound(deps.models, id);
  if (r.status === 'closed') return roundView(r);
  const closedAt = deps.clock.now();
  await deps.models.AllocationRound.updateOne({ _id: r._id }, { $set: { status: 'closed', closedAt } });
  return roundView({ ...r, status: 'closed', closedAt });
}

export async function listRounds(deps: AllocationDeps, actor: Actor, q: z.output<typeof RoundsQuery>) {
  const rounds = await deps.models.AllocationRound.find({ communityCode: q.community, ...(q.status ? { status: q.status } : {}) })
    .sort({ createdAt: -1 })
    .lean<AllocationRound[]>();
  return { rounds: rounds.filter((r) => inScope(actor, { streetCode: r.streetCode, communityCode: r.communityCode })).map(roundView) };
}

export async function getRound(deps: AllocationDeps, id: string) {
  const r = await loadRound(deps.models, id);
  return { ...roundView(r), summary: await summaryOf(deps.models, r) };
}

/** Figures for a public notice: units and households, per slot too; nobody named. */
export async function summaryOf(models: Models, r: AllocationRound) {
  const bookings = await models.AllocationBooking.find({ roundId: r._id }).lean<AllocationBooking[]>();
  const units = (status: AllocationBooking['status'][]) => bookings.filter((b) => status.includes(b.status)).reduce((n, b) => n + b.quantity, 0);
  const count = (status: AllocationBooking['status']) => bookings.filter((b) => b.status === status).length;
  const booked = units(['booked', 'redeemed']);
  return {
    stock: r.stock,
    booked,
    redeemed: units(['redeemed']),
    left: Math.max(0, r.stock - booked),
    households: { booked: count('booked') + count('redeemed'), redeemed: count('redeemed'), cancelled: count('cancelled'), noShows: count('released') },
    slots: r.slots.map((s) => ({
      start: s.start,
      end: s.end,
      capacity: s.capacity,
      booked: bookings.filter((b) => b.slotId === s.id && (b.status === 'booked' || b.status === 'redeemed')).length,
    })),
  };
}

export async function roundSummary(deps: AllocationDeps, id: string) {
  const r = await loadRound(deps.models, id);
  return { item: r.item, community: r.communityCode, status: r.status, perHousehold: r.perHousehold, ...(await summaryOf(deps.models, r)) };
}

/** Hand out the booking a pick-up code belongs to — once. */
export async function redeem(deps: AllocationDeps, actor: Actor, id: string, body: z.output<typeof RedeemBody>) {
  const r = await loadRound(deps.models, id);
  const code = normalizeCode(body.code);
  const pc = await deps.models.PickupCode.findById(pickupCodeIdFor(r._id, code)).lean<{ bookingId: Types.ObjectId; token: string }>();
  if (!pc) throw notFound(`pick-up code ${code} in this round`);
  const b = await deps.models.AllocationBooking.findById(pc.bookingId).lean<AllocationBooking>();
  // The household cancelled and booked again: this code belongs to the old booking.
  if (!b || b.token !== pc.token) throw new AppError('conflict_state', `pick-up code ${code} was cancelled`, { status: 'cancelled' });
  const settled = await settleBooking(deps, b, 'redeemed', { id: actor.id, name: actor.name }, deps.clock.now());
  if (!settled.won) {
    const e = settled.earlier;
    const what = e?.outcome === 'redeemed' ? `already handed out at ${e.at.toISOString()}${e.byName ? ` by ${e.byName}` : ''}` : `${e?.outcome ?? b.status}`;
    throw new AppError('conflict_state', `pick-up code ${code} was ${what}`, { status: e?.outcome ?? b.status, at: e?.at ?? null });
  }
  const slot = r.slots.find((s) => s.id === b.slotId);
  return {
    code,
    item: r.item,
    quantity: b.quantity,
    slot: slot ? { start: slot.start, end: slot.end } : null,
    household: { building: b.buildingCode ?? null, unit: b.unit ?? null, room: b.room ?? null },
    redeemedAt: settled.at,
    redeemedBy: actor.name,
  };
}
