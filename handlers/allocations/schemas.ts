/** The allocation routes' input and answers (also the OpenAPI document's). */
import { z } from 'zod';
import { buildingCode, objectId, placeCode, text } from '../input.js';

const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T14:00:00+08:00' });
const Slot = z.strictObject({ start: dateTime, end: dateTime, capacity: z.number().int().min(1).max(100_000).meta({ description: 'households' }) });

export const CreateRoundBody = z.strictObject({
  community: placeCode,
  item: text(40),
  stock: z.number().int().min(1).max(1_000_000).meta({ description: 'units' }),
  perHousehold: z.number().int().min(1).max(100).default(1).meta({ description: 'units a household may book' }),
  slots: z.array(Slot).min(1).max(50),
  eligibility: z
    .strictObject({
      buildings: z.array(buildingCode).max(200).optional().meta({ description: 'only these buildings’ residents' }),
      vulnerableFirstHours: z.number().int().min(1).max(72).optional().meta({ description: 'vulnerable households alone for this long after release' }),
    })
    .default({}),
  release: z.boolean().optional().meta({ description: 'release at once (else a draft)' }),
});
export const RedeemBody = z.strictObject({ code: z.string().trim().min(4).max(12).meta({ description: 'the pick-up code; spaces and case ignored' }) });
export const RoundsQuery = z.strictObject({ community: placeCode, status: z.enum(['draft', 'open', 'closed']).optional() });
export const RoundParams = z.object({ id: objectId });

const SlotView = z.object({ id: z.string(), start: z.date(), end: z.date(), capacity: z.number().int() });
export const RoundView = z
  .object({
    id: z.string(),
    community: z.string(),
    item: z.string(),
    stock: z.number().int(),
    perHousehold: z.number().int(),
    slots: z.array(SlotView),
    eligibility: z.object({ buildings: z.array(z.string()).optional(), vulnerableFirstHours: z.number().int().optional() }),
    status: z.enum(['draft', 'open', 'closed']),
    createdAt: z.date(),
    createdBy: z.string(),
    releasedAt: z.date().nullable(),
    closedAt: z.date().nullable(),
  })
  .meta({ id: 'AllocationRound' });
export const RoundList = z.object({ rounds: z.array(RoundView) }).meta({ id: 'AllocationRoundList' });
export const ReleasedRound = RoundView.extend({ offered: z.number().int().meta({ description: 'residents the offer was queued for' }) }).meta({
  id: 'AllocationRoundReleased',
});

const figures = {
  stock: z.number().int(),
  booked: z.number().int().meta({ description: 'units booked (redeemed included)' }),
  redeemed: z.number().int(),
  left: z.number().int(),
  households: z.object({ booked: z.number().int(), redeemed: z.number().int(), cancelled: z.number().int(), noShows: z.number().int() }),
  slots: z.array(z.object({ start: z.date(), end: z.date(), capacity: z.number().int(), booked: z.number().int() })),
};
export const RoundSummary = z
  .object({ item: z.string(), community: z.string(), status: z.enum(['draft', 'open', 'closed']), perHousehold: z.number().int(), ...figures })
  .meta({ id: 'AllocationSummary', description: 'figures for a public notice: nobody is named' });
export const RoundDetail = RoundView.extend({ summary: z.object(figures) }).meta({ id: 'AllocationRoundDetail' });
export const Redemption = z
  .object({
    code: z.string(),
    item: z.string(),
    quantity: z.number().int(),
    slot: z.object({ start: z.date(), end: z.date() }).nullable(),
    household: z.object({ building: z.string().nullable(), unit: z.string().nullable(), room: z.string().nullable() }),
    redeemedAt: z.date(),
    redeemedBy: z.string(),
  })
  .meta({ id: 'AllocationRedemption' });
