import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * A yellow or red health report, for the building's responsible staff. `_id` is derived from
 * (resident, date, level), so the insert itself enforces "at most one per resident per day per
 * level" — on FerretDB as on MongoDB.
 */
export interface Alert {
  _id: Types.ObjectId;
  kind: 'health';
  level: 'yellow' | 'red';
  reasons: string[];
  residentId: Types.ObjectId;
  reportId: Types.ObjectId;
  communityCode: string;
  buildingCode: string;
  room?: string;
  date: string;
  createdAt: Date;
  /** Staff told through WeCom (user ids), when the notification went out. */
  notifiedAt?: Date | null;
  notifiedUsers?: string[];
  /** Why nobody could be told (no staff with a WeCom id in scope, WeCom not configured). */
  notifyProblem?: string;
  acknowledgedAt?: Date | null;
  acknowledgedBy?: string;
  acknowledgedByName?: string;
  note?: string;
}

export const AlertSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['health'], default: 'health' },
    level: { type: String, enum: ['yellow', 'red'], required: true },
    reasons: { type: [String], default: [] },
    residentId: { type: Schema.Types.ObjectId, required: true },
    reportId: { type: Schema.Types.ObjectId, required: true },
    communityCode: { type: String, required: true },
    buildingCode: { type: String, required: true },
    room: String,
    date: { type: String, required: true },
    createdAt: { type: Date, required: true },
    notifiedAt: { type: Date, default: null },
    notifiedUsers: { type: [String], default: undefined },
    notifyProblem: String,
    acknowledgedAt: { type: Date, default: null },
    acknowledgedBy: String,
    acknowledgedByName: String,
    note: String,
  },
  { versionKey: false },
);
AlertSchema.index({ communityCode: 1, date: 1 });

export const alertIdFor = (residentId: Types.ObjectId | string, date: string, level: string) => derivedId('alert', residentId, date, level);
