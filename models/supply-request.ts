import { Schema, type Types } from 'mongoose';
import { SUPPLY_CATEGORIES, SUPPLY_STATUSES, URGENCIES, type SupplyCategory, type SupplyStatus, type Urgency } from '../flows/supplies/priority.js';

/** One item's packed quantity, as staff fill it in. */
export interface SupplyQuantity {
  item: string;
  quantity: number;
  unit?: string;
}

/** Who a request is assigned to: a staff account, a social organisation or a property company account. */
export interface SupplyAssignee {
  kind: 'staff' | 'social_org' | 'property';
  staffId: string;
  name: string;
}

/**
 * A supply request (物资求助). `ticket` (`S-YYYYMMDD-NNNN`) is unique per community and day. Status
 * changes are decided by appending a `SupplyRequestEvent` with the next `seq` (unique), like the
 * audit trail: of two staff acting at once exactly one wins, and each event notifies the
 * resident exactly once.
 */
export interface SupplyRequest {
  _id: Types.ObjectId;
  ticket: string;
  communityCode: string;
  buildingCode: string;
  room?: string;
  residentId: Types.ObjectId;
  householdId?: Types.ObjectId;
  category: SupplyCategory;
  items: string;
  /** Optional structured quantities staff fill in when they pack. */
  quantities?: SupplyQuantity[];
  urgency: Urgency;
  address: string;
  /** The household's vulnerable flags when it was asked (priority). */
  vulnerable: string[];
  status: SupplyStatus;
  /** Events applied so far (the next event's seq is seq + 1). */
  seq: number;
  assignee?: SupplyAssignee | null;
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
  /** When the items were last changed by the resident (an open request of the same category is updated). */
  itemsUpdatedAt?: Date;
  /** When the resident was asked whether it is still needed (past its urgency window). */
  stillNeededAskedAt?: Date | null;
  /** The resident said it is still needed: staff see it first. */
  stillNeededAt?: Date | null;
  /** The inbound message that created it (a retry of that message finds it instead of creating another). */
  sourceKey: string;
}

export const SupplyRequestSchema = new Schema(
  {
    ticket: { type: String, required: true },
    communityCode: { type: String, required: true },
    buildingCode: { type: String, required: true },
    room: String,
    residentId: { type: Schema.Types.ObjectId, required: true },
    householdId: Schema.Types.ObjectId,
    category: { type: String, enum: SUPPLY_CATEGORIES, required: true },
    items: { type: String, required: true },
    quantities: { type: [{ _id: false, item: String, quantity: Number, unit: String }], default: undefined },
    urgency: { type: String, enum: URGENCIES, required: true },
    address: { type: String, required: true },
    vulnerable: { type: [String], default: [] },
    status: { type: String, enum: SUPPLY_STATUSES, default: 'submitted' },
    seq: { type: Number, default: 0 },
    assignee: { type: { _id: false, kind: String, staffId: String, name: String }, default: null },
    reason: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    itemsUpdatedAt: Date,
    stillNeededAskedAt: { type: Date, default: null },
    stillNeededAt: { type: Date, default: null },
    sourceKey: { type: String, required: true },
  },
  { versionKey: false },
);
SupplyRequestSchema.index({ communityCode: 1, ticket: 1 }, { unique: true });
SupplyRequestSchema.index({ sourceKey: 1 }, { unique: true });
SupplyRequestSchema.index({ residentId: 1, createdAt: -1 });
SupplyRequestSchema.index({ communityCode: 1, status: 1 });

/** One status change (or the creation, seq 1), appended under a unique (requestId, seq). */
export interface SupplyRequestEvent {
  _id: Types.ObjectId;
  requestId: Types.ObjectId;
  seq: number;
  from: SupplyStatus | null;
  to: SupplyStatus;
  actorId: string;
  actorName: string;
  at: Date;
  reason?: string;
  assignee?: SupplyAssignee | null;
  /** Quantities staff set with this change (accept or assign); they replace the request's. */
  quantities?: SupplyQuantity[];
  /** When the resident was told (null until the notification job sent it). */
  notifiedAt?: Date | null;
}

export const SupplyRequestEventSchema = new Schema(
  {
    requestId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    from: { type: String, default: null },
    to: { type: String, required: true },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    at: { type: Date, required: true },
    reason: String,
    assignee: { type: { _id: false, kind: String, staffId: String, name: String }, default: null },
    quantities: { type: [{ _id: false, item: String, quantity: Number, unit: String }], default: undefined },
    notifiedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
SupplyRequestEventSchema.index({ requestId: 1, seq: 1 }, { unique: true });

export type { SupplyCategory, SupplyStatus, Urgency };
