/** The supply-request routes' input and answers (also the OpenAPI document's). */
import { z } from 'zod';
import { SUPPLY_CATEGORIES, SUPPLY_STATUSES, URGENCIES } from '../../flows/supplies/priority.js';
import { buildingCode, objectId, pageLimit, placeCode, positiveInt, queryFlag, text } from '../input.js';

export const SupplyListQuery = z.strictObject({
  status: z.enum(SUPPLY_STATUSES).optional(),
  category: z.enum(SUPPLY_CATEGORIES).optional(),
  community: placeCode.optional(),
  building: buildingCode.optional(),
  assignee: z
    .union([z.literal('me'), z.literal('none'), objectId], { error: 'must be me, none or a staff account id' })
    .optional()
    .meta({ description: '`me`, `none` (unassigned) or a staff account id' }),
  open: queryFlag.optional().meta({ description: 'true: submitted, accepted, assigned or in transit; false: delivered, rejected or cancelled' }),
  limit: pageLimit(50, 500),
  offset: z.coerce
    .number({ error: 'must be an integer ≥ 0' })
    .int({ error: 'must be an integer ≥ 0' })
    .min(0, { error: 'must be an integer ≥ 0' })
    .default(0)
    .meta({ description: 'items to skip (the order is by priority, which changes as requests wait)' }),
});

const Quantity = z.strictObject({
  item: text(100),
  quantity: z.number().positive().max(100_000),
  unit: text(20).optional(),
});
const quantities = z.array(Quantity).min(1).max(50).optional().meta({ description: 'packed quantities; they replace the request’s' });
/** The request's `seq` the client saw: a change made meanwhile answers 409 instead of being overwritten. */
const expectedSeq = positiveInt.optional();
const reason = text(200).meta({ description: 'told to the resident' });

export const AcceptBody = z.strictObject({ quantities, expectedSeq });
export const AssignBody = z.strictObject({
  assignee: objectId.meta({ description: 'a committee, social_org or property account whose scope covers the request' }),
  quantities,
  expectedSeq,
});
export const ProgressBody = z.strictObject({ expectedSeq });
export const ReasonBody = z.strictObject({ reason, expectedSeq });

const assignee = z.object({ kind: z.enum(['staff', 'social_org', 'property']), staffId: z.string(), name: z.string() });
const QuantityView = z.object({ item: z.string(), quantity: z.number(), unit: z.string().optional() });

export const SupplyRequestView = z
  .object({
    id: z.string(),
    ticket: z.string(),
    community: z.string(),
    building: z.string(),
    room: z.string().nullable(),
    residentId: z.string(),
    category: z.enum(SUPPLY_CATEGORIES),
    items: z.string(),
    quantities: z.array(QuantityView),
    urgency: z.enum(URGENCIES),
    address: z.string(),
    vulnerable: z.array(z.string()),
    status: z.enum(SUPPLY_STATUSES),
    seq: z.number().int().meta({ description: 'send it back as expectedSeq' }),
    assignee: assignee.nullable(),
    reason: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
    stillNeededAt: z.date().nullable().meta({ description: 'the resident confirmed, past the urgency window, that it is still needed' }),
    priority: z.number().nullable().meta({ description: 'urgency + vulnerability + waiting time, now; null once closed' }),
  })
  .meta({ id: 'SupplyRequest' });

export const SupplyRequestList = z
  .object({
    requests: z.array(SupplyRequestView),
    total: z.number().int(),
    next: z.number().int().nullable().meta({ description: 'the offset of the next page' }),
  })
  .meta({ id: 'SupplyRequestList' });

export const SupplyEventView = z
  .object({
    seq: z.number().int(),
    from: z.enum(SUPPLY_STATUSES).nullable(),
    to: z.enum(SUPPLY_STATUSES),
    actor: z.object({ id: z.string(), name: z.string() }),
    at: z.date(),
    reason: z.string().nullable(),
    assignee: assignee.nullable(),
    quantities: z.array(QuantityView).nullable(),
    notifiedAt: z.date().nullable().meta({ description: 'when the resident was told' }),
  })
  .meta({ id: 'SupplyRequestEvent' });

export const SupplyRequestDetail = SupplyRequestView.extend({
  events: z.array(SupplyEventView),
  contact: z.object({
    mobile: z.string().nullable(),
    masked: z.boolean().meta({ description: 'full numbers go to the committee and to the request’s assignee (access-logged)' }),
  }),
}).meta({ id: 'SupplyRequestDetail' });
