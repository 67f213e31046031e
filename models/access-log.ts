import { Schema, type Types } from 'mongoose';

/**
 * Who read sensitive personal data (health reports, unmasked mobiles), when, and what they asked
 * for. Append-only: product.md requires reads of health data to be logged.
 */
export interface AccessLogEntry {
  _id: Types.ObjectId;
  actorId: string;
  actorName: string;
  role: string;
  /** What was read: `health_reports`, `residents`, `alerts`… */
  resource: string;
  /** The filter as asked (no personal data). */
  query: Record<string, unknown>;
  /** How many records were returned. */
  count: number;
  at: Date;
}

export const AccessLogSchema = new Schema(
  {
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    role: { type: String, required: true },
    resource: { type: String, required: true },
    query: { type: Schema.Types.Mixed, default: {} },
    count: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
AccessLogSchema.index({ at: -1 });
