import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * A resident's return from elsewhere (返回登记). `_id` is derived from the message that
 * registered it, so a retry writes nothing new. A return from a risk area also writes the
 * resident's `Observation` (one per resident, `_id` from the resident): the gate rules, the
 * reminders and the staff list read it by `_id`.
 */
export interface Returnee {
  _id: Types.ObjectId;
  residentId: Types.ObjectId;
  householdKey: string;
  communityCode: string;
  buildingCode?: string;
  unit?: string;
  room?: string;
  from: string;
  arrivalDate: string;
  transport: string;
  riskArea?: string;
  observation?: { startDate: string; endDate: string } | null;
  createdAt: Date;
}

export const ReturneeSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    residentId: { type: Schema.Types.ObjectId, required: true },
    householdKey: String,
    communityCode: { type: String, required: true },
    buildingCode: String,
    unit: String,
    room: String,
    from: { type: String, required: true },
    arrivalDate: { type: String, required: true },
    transport: String,
    riskArea: String,
    observation: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
ReturneeSchema.index({ communityCode: 1, arrivalDate: 1 });

/** A resident's home observation: local dates, inclusive; over once `endDate` has passed. */
export interface Observation {
  _id: Types.ObjectId;
  residentId: Types.ObjectId;
  returneeId: Types.ObjectId;
  communityCode: string;
  buildingCode?: string;
  unit?: string;
  room?: string;
  from: string;
  riskArea: string;
  startDate: string;
  endDate: string;
  days: number;
  createdAt: Date;
}

export const ObservationSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    residentId: { type: Schema.Types.ObjectId, required: true },
    returneeId: Schema.Types.ObjectId,
    communityCode: { type: String, required: true },
    buildingCode: String,
    unit: String,
    room: String,
    from: String,
    riskArea: String,
    startDate: { type: String, required: true },
    endDate: { type: String, required: true },
    days: Number,
    createdAt: Date,
  },
  { versionKey: false },
);
ObservationSchema.index({ communityCode: 1, endDate: 1 });

export const returneeIdFor = (sourceKey: string) => derivedId('returnee', sourceKey);
export const observationIdFor = (residentId: Types.ObjectId | string) => derivedId('observation', residentId);
