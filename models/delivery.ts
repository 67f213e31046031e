import { Schema, type Types } from 'mongoose';

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_CHANNELS = ['kf', 'template'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * One recipient of one notice. `(noticeId, residentId)` is unique, so a fan-out that runs twice
 * (a worker died mid-way) creates each recipient once; a deliver job claims its record
 * (`claimedAt`, `claimedBy`) before sending so a recipient is sent to once.
 */
export interface Delivery {
  _id: Types.ObjectId;
  noticeId: Types.ObjectId;
  residentId: Types.ObjectId;
  openid: string;
  status: DeliveryStatus;
  /** `kf` = customer-service message inside the 48-hour window, `template` otherwise. */
  channel?: DeliveryChannel;
  attempts: number;
  /** WeChat errcode of the last failed attempt. */
  errcode?: number;
  lastError?: string;
  sentAt?: Date;
  claimedAt?: Date;
  claimedBy?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export const DeliverySchema = new Schema(
  {
    noticeId: { type: Schema.Types.ObjectId, required: true },
    residentId: { type: Schema.Types.ObjectId, required: true },
    openid: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    channel: { type: String, enum: DELIVERY_CHANNELS },
    attempts: { type: Number, default: 0 },
    errcode: Number,
    lastError: String,
    sentAt: Date,
    claimedAt: Date,
    claimedBy: String,
  },
  { timestamps: true },
);
DeliverySchema.index({ noticeId: 1, residentId: 1 }, { unique: true });
DeliverySchema.index({ noticeId: 1, status: 1 });
