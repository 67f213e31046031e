import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * A resident's health report of one local day. `_id` is derived from (resident, date): a second
 * report the same day replaces it (one upsert by `_id`), and the replaced version is appended to
 * `HealthReportRevision` first, so the history is kept.
 */
export interface HealthReport {
  _id: Types.ObjectId;
  residentId: Types.ObjectId;
  householdId?: Types.ObjectId;
  communityCode: string;
  buildingCode: string;
  room?: string;
  /** Local date in the community's time zone, YYYY-MM-DD. */
  date: string;
  temperatureC: number;
  symptoms: string[];
  test: string;
  contact: boolean;
  risk: 'green' | 'yellow' | 'red';
  reasons: string[];
  /** Yesterday's answers were reused (`同昨天`). */
  reusedYesterday: boolean;
  submittedAt: Date;
  /** How many times this day's report was submitted (1 = never replaced). */
  revision: number;
  /** Identical answers at machine-regular times over several days: staff should check (see automation.ts). */
  suspectedAutomation?: boolean;
}

const fields = {
  residentId: { type: Schema.Types.ObjectId, required: true },
  householdId: Schema.Types.ObjectId,
  communityCode: { type: String, required: true },
  buildingCode: { type: String, required: true },
  room: String,
  date: { type: String, required: true },
  temperatureC: { type: Number, required: true },
  symptoms: { type: [String], default: [] },
  test: { type: String, required: true },
  contact: { type: Boolean, required: true },
  risk: { type: String, enum: ['green', 'yellow', 'red'], required: true },
  reasons: { type: [String], default: [] },
  reusedYesterday: { type: Boolean, default: false },
  submittedAt: { type: Date, required: true },
  revision: { type: Number, default: 1 },
  suspectedAutomation: Boolean,
};

export const HealthReportSchema = new Schema({ _id: { type: Schema.Types.ObjectId, required: true }, ...fields }, { versionKey: false });
HealthReportSchema.index({ communityCode: 1, date: 1 });
HealthReportSchema.index({ residentId: 1, date: -1 });

/** A replaced report, appended (never updated): the day's history. */
export const HealthReportRevisionSchema = new Schema({ reportId: { type: Schema.Types.ObjectId, required: true }, ...fields }, { versionKey: false });
HealthReportRevisionSchema.index({ reportId: 1 });

export const healthReportIdFor = (residentId: Types.ObjectId | string, date: string) => derivedId('health-report', residentId, date);
