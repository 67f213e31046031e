import { Schema, type Types } from 'mongoose';

/**
 * A resident who needs a person: three misunderstood answers in a row, or `人工`/`human`. Staff
 * list open ones in their scope and answer; the answer goes to the resident as a
 * customer-service message.
 */
export interface Escalation {
  _id: Types.ObjectId;
  residentId: Types.ObjectId;
  channel: 'wechat' | 'wecom';
  openid: string;
  communityCode?: string;
  buildingCode?: string;
  reason: 'misses' | 'asked';
  flow?: string;
  step?: string;
  lastInput?: string;
  status: 'open' | 'answered';
  createdAt: Date;
  answer?: string;
  answeredAt?: Date;
  answeredBy?: string;
  answeredByName?: string;
}

export const EscalationSchema = new Schema(
  {
    residentId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: ['wechat', 'wecom'], required: true },
    openid: { type: String, required: true },
    communityCode: String,
    buildingCode: String,
    reason: { type: String, enum: ['misses', 'asked'], required: true },
    flow: String,
    step: String,
    lastInput: String,
    status: { type: String, enum: ['open', 'answered'], default: 'open' },
    createdAt: { type: Date, required: true },
    answer: String,
    answeredAt: Date,
    answeredBy: String,
    answeredByName: String,
  },
  { versionKey: false },
);
EscalationSchema.index({ communityCode: 1, status: 1 });
