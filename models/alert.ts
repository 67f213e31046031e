import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * Something staff must act on, told to them through WeCom: a yellow or red health report (for
 * the building's responsible staff), a refused or after-hours gate pass (for the gate keepers), a
 * missed report under home observation. `_id` is derived from what it is about — (resident, date,
 * level) for health — so the insert itself enforces "at most once", on FerretDB as on MongoDB.
 */
export const ALERT_KINDS = ['health', 'gate', 'observation'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  _id: Types.ObjectId;
  kind: AlertKind;
  /** Health alerts only. */
  level?: 'yellow' | 'red';
  reasons: string[];
  residentId: Types.ObjectId;
  /** Health alerts only. */
  reportId?: Types.ObjectId;
  communityCode: string;
  /** The building it concerns (absent for a community gate). */
  buildingCode?: string;
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
  /** What the message says, per kind (gate name, direction, reason…; a missed report's day). */
  details?: Record<string, unknown>;
}

export const AlertSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ALERT_KINDS, default: 'health' },
    level: { type: String, enum: ['yellow', 'red'] },
    reasons: { type: [String], default: [] },
    residentId: { type: Schema.Types.ObjectId, required: true },
    reportId: Schema.Types.ObjectId,
    communityCode: { type: String, required: true },
    buildingCode: String,
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
    details: Schema.Types.Mixed,
  },
  { versionKey: false },
);
AlertSchema.index({ communityCode: 1, date: 1 });

export const alertIdFor = (residentId: Types.ObjectId | string, date: string, level: string) => derivedId('alert', residentId, date, level);
