import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * Gates and their passes (issue #10). A gate has a permanent QR scene `g:<gateId>`; every pass
 * through it is a `GateRecord` whose `_id` is derived from the inbound message that asked for it,
 * so WeChat's retry finds the pass it made. Races are decided by unique `_id` inserts (FerretDB
 * 1.x has no atomic conditional update): a pass code per gate and day (`GatePassCode`), an outing
 * of a household's quota (`GateQuotaClaim`, one per ordinal in the period).
 */
export interface Gate {
  _id: Types.ObjectId;
  communityCode: string;
  streetCode: string;
  /** A building's own gate (a building under closed management); absent: the community's gate. */
  buildingCode?: string;
  name: string;
  /** The QR scene, `g:<id>`. */
  scene: string;
  /** WeChat's permanent QR code for the scene: ticket, the URL it encodes and WeChat's image. */
  qr?: { ticket: string; url: string; imageUrl: string; createdAt: Date } | null;
  /** Why the QR code is missing (WeChat unreachable or refused); retried when the poster is asked for. */
  qrProblem?: string;
  createdAt: Date;
  createdBy: string;
}

export const GateSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    communityCode: { type: String, required: true },
    streetCode: { type: String, required: true },
    buildingCode: String,
    name: { type: String, required: true },
    scene: { type: String, required: true },
    qr: { type: { _id: false, ticket: String, url: String, imageUrl: String, createdAt: Date }, default: null },
    qrProblem: String,
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { versionKey: false },
);
GateSchema.index({ communityCode: 1, name: 1 }, { unique: true });

export interface VisitorInfo {
  name: string;
  mobile: string;
  host: string;
  purpose: string;
}

/** One pass through a gate, granted or refused. */
export interface GateRecord {
  _id: Types.ObjectId;
  gateId: Types.ObjectId;
  gateName: string;
  communityCode: string;
  streetCode: string;
  gateBuildingCode?: string;
  residentId: Types.ObjectId;
  /** The household (its id, or the resident's for someone without one): quotas count per household. */
  householdKey: string;
  /** Where the resident lives (residents of the community only). */
  buildingCode?: string;
  unit?: string;
  room?: string;
  visitor?: VisitorInfo | null;
  direction: 'out' | 'in';
  status: 'granted' | 'refused';
  reason?: string;
  passCode?: string;
  /** A resident let in while the gate is closed (the keeper was told). */
  afterHours?: boolean;
  /** The outing this out pass used: its ordinal in the period, the period's first day and the limit. */
  outing?: { n: number; max: number; periodStart: string; perDays: number } | null;
  /** Local date and hour (`HH`) at the gate. */
  date: string;
  hour: string;
  at: Date;
  sourceKey: string;
  alertId?: Types.ObjectId;
}

export const GateRecordSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    gateId: { type: Schema.Types.ObjectId, required: true },
    gateName: String,
    communityCode: { type: String, required: true },
    streetCode: String,
    gateBuildingCode: String,
    residentId: { type: Schema.Types.ObjectId, required: true },
    householdKey: { type: String, required: true },
    buildingCode: String,
    unit: String,
    room: String,
    visitor: { type: Schema.Types.Mixed, default: null },
    direction: { type: String, enum: ['out', 'in'], required: true },
    status: { type: String, enum: ['granted', 'refused'], required: true },
    reason: String,
    passCode: String,
    afterHours: Boolean,
    outing: { type: Schema.Types.Mixed, default: null },
    date: { type: String, required: true },
    hour: { type: String, required: true },
    at: { type: Date, required: true },
    sourceKey: { type: String, required: true },
    alertId: Schema.Types.ObjectId,
  },
  { versionKey: false },
);
GateRecordSchema.index({ communityCode: 1, date: 1 });

/** A pass code taken at a gate on a day (unique by `_id`), pointing at its record. */
export const GatePassCodeSchema = new Schema({ _id: Schema.Types.ObjectId, recordId: Schema.Types.ObjectId, sourceKey: String }, { versionKey: false });
/** The n-th outing of a household in a quota period (unique by `_id`); `sourceKey` tells a retry it is its own. */
export const GateQuotaClaimSchema = new Schema(
  { _id: Schema.Types.ObjectId, householdKey: String, periodStart: String, n: Number, sourceKey: String, at: Date },
  { versionKey: false },
);

/** Where someone is by their last granted pass: `_id` is the resident's id (one indexed read per scan). */
export interface GatePresence {
  _id: Types.ObjectId;
  state: 'out' | 'in';
  gateId: Types.ObjectId;
  gateName: string;
  communityCode: string;
  gateBuildingCode?: string;
  householdKey: string;
  buildingCode?: string;
  unit?: string;
  room?: string;
  visitor?: VisitorInfo | null;
  recordId: Types.ObjectId;
  passCode: string;
  date: string;
  at: Date;
}

export const GatePresenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['out', 'in'], required: true },
    gateId: Schema.Types.ObjectId,
    gateName: String,
    communityCode: { type: String, required: true },
    gateBuildingCode: String,
    householdKey: String,
    buildingCode: String,
    unit: String,
    room: String,
    visitor: { type: Schema.Types.Mixed, default: null },
    recordId: Schema.Types.ObjectId,
    passCode: String,
    date: String,
    at: Date,
  },
  { versionKey: false },
);

export const gateRecordIdFor = (sourceKey: string) => derivedId('gate-record', sourceKey);
export const gatePassCodeIdFor = (gateId: Types.ObjectId | string, date: string, code: string) => derivedId('gate-pass-code', gateId, date, code);
export const gateQuotaClaimIdFor = (householdKey: string, periodStart: string, n: number) => derivedId('gate-quota', householdKey, periodStart, n);
