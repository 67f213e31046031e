import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';
import type { AllocationEligibility } from '../flows/allocations/eligibility.js';

/**
 * Allocation rounds of scarce supplies (issue #10): an item, its stock, a per-household limit,
 * pick-up slots with capacities, who may book. Stock and slot places are claimed in Redis (one
 * Lua script per claim, see `bot/allocations/ledger.ts`); MongoDB keeps the durable records by
 * deterministic `_id` — a household's booking from (round, household), a pick-up code from
 * (round, code), a booking's outcome from (booking, its token) — from which Redis is rebuilt.
 */
export interface AllocationSlot {
  id: string;
  start: Date;
  end: Date;
  /** Households that may book this slot. */
  capacity: number;
}

export type AllocationStatus = 'draft' | 'open' | 'closed';

export interface AllocationRound {
  _id: Types.ObjectId;
  communityCode: string;
  streetCode: string;
  item: string;
  stock: number;
  perHousehold: number;
  slots: AllocationSlot[];
  eligibility: AllocationEligibility;
  status: AllocationStatus;
  createdAt: Date;
  createdBy: string;
  createdByName: string;
  releasedAt?: Date | null;
  releasedBy?: string;
  closedAt?: Date | null;
  /** When the offer went to everyone after a vulnerable-first window. */
  secondWaveAt?: Date | null;
  /** Slots whose no-shows were released. */
  noShowsReleased?: string[];
}

export const AllocationRoundSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    communityCode: { type: String, required: true },
    streetCode: { type: String, required: true },
    item: { type: String, required: true },
    stock: { type: Number, required: true },
    perHousehold: { type: Number, required: true },
    slots: { type: [{ _id: false, id: String, start: Date, end: Date, capacity: Number }], default: [] },
    eligibility: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ['draft', 'open', 'closed'], required: true },
    createdAt: { type: Date, required: true },
    createdBy: String,
    createdByName: String,
    releasedAt: { type: Date, default: null },
    releasedBy: String,
    closedAt: { type: Date, default: null },
    secondWaveAt: { type: Date, default: null },
    noShowsReleased: { type: [String], default: [] },
  },
  { versionKey: false, minimize: false },
);
AllocationRoundSchema.index({ communityCode: 1, status: 1 });

export type BookingStatus = 'booked' | 'cancelled' | 'redeemed' | 'released';

/** A household's booking in a round (`_id` from round and household: one per household, rebooked in place after a cancel). */
export interface AllocationBooking {
  _id: Types.ObjectId;
  roundId: Types.ObjectId;
  householdKey: string;
  residentId: Types.ObjectId;
  communityCode: string;
  buildingCode?: string;
  unit?: string;
  room?: string;
  slotId: string;
  quantity: number;
  pickupCode: string;
  /** This booking's claim in the Redis ledger (a new one on each booking of the household). */
  token: string;
  status: BookingStatus;
  bookedAt: Date;
  sourceKey: string;
  cancelledAt?: Date | null;
  redeemedAt?: Date | null;
  redeemedBy?: string;
  /** A no-show: the slot ended without redemption and the stock went back. */
  releasedAt?: Date | null;
}

export const AllocationBookingSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    householdKey: { type: String, required: true },
    residentId: Schema.Types.ObjectId,
    communityCode: String,
    buildingCode: String,
    unit: String,
    room: String,
    slotId: String,
    quantity: Number,
    pickupCode: String,
    token: String,
    status: { type: String, enum: ['booked', 'cancelled', 'redeemed', 'released'], required: true },
    bookedAt: Date,
    sourceKey: String,
    cancelledAt: { type: Date, default: null },
    redeemedAt: { type: Date, default: null },
    redeemedBy: String,
    releasedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
AllocationBookingSchema.index({ roundId: 1, status: 1 });

/** A pick-up code of a round (unique by `_id`) and the booking it belongs to. */
export const PickupCodeSchema = new Schema({ _id: Schema.Types.ObjectId, bookingId: Schema.Types.ObjectId, token: String }, { versionKey: false });
/**
 * How a booking ended — handed out, cancelled by the household, or released as a no-show — one
 * per booking (its `_id` from the booking and its token): whichever comes first wins the unique
 * insert, so a code is redeemed once, and never after its booking was cancelled or released.
 */
export type BookingOutcomeKind = 'redeemed' | 'cancelled' | 'released';
export interface BookingOutcome {
  _id: Types.ObjectId;
  bookingId: Types.ObjectId;
  roundId: Types.ObjectId;
  outcome: BookingOutcomeKind;
  at: Date;
  by: string;
  byName?: string;
}
export const BookingOutcomeSchema = new Schema(
  {
    _id: Schema.Types.ObjectId,
    bookingId: Schema.Types.ObjectId,
    roundId: Schema.Types.ObjectId,
    outcome: { type: String, enum: ['redeemed', 'cancelled', 'released'] },
    at: Date,
    by: String,
    byName: String,
  },
  { versionKey: false },
);

export const bookingIdFor = (roundId: Types.ObjectId | string, householdKey: string) => derivedId('booking', roundId, householdKey);
export const pickupCodeIdFor = (roundId: Types.ObjectId | string, code: string) => derivedId('pickup-code', roundId, code);
export const bookingOutcomeIdFor = (bookingId: Types.ObjectId | string, token: string) => derivedId('booking-outcome', bookingId, token);
