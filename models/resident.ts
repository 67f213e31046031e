import crypto from 'node:crypto';
import { Schema, Types, type InferSchemaType } from 'mongoose';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const VULNERABLE_FLAGS = ['elderlyAlone', 'chronicIllness', 'pregnancy', 'disability', 'infant'] as const;
export type VulnerableFlag = (typeof VULNERABLE_FLAGS)[number];

/**
 * A resident as seen through one channel. `(channel, openid)` is the identity WeChat gives us;
 * it is unique, so concurrent first messages upsert one document.
 *
 * `lastInboundAt` opens WeChat's 48-hour customer-service window and `kfSentSinceInbound`
 * counts the messages spent from its budget (5 per user message, wechat-protocol.md §8).
 */
export const ResidentSchema = new Schema(
  {
    channel: { type: String, enum: ['wechat', 'wecom'], required: true },
    openid: { type: String, required: true },
    language: { type: String, enum: LANGUAGES, default: 'zh-CN' },
    subscribed: { type: Boolean, default: true },
    subscribedAt: Date,
    unsubscribedAt: Date,
    /** QR scene the resident followed through (e.g. a building's poster). */
    subscribeScene: String,
    lastInboundAt: Date,
    kfSentSinceInbound: { type: Number, default: 0 },
    registration: {
      streetCode: String,
      communityCode: String,
      buildingCode: String,
      unit: String,
      room: String,
      householdSize: Number,
      registeredAt: Date,
    },
    /** E.164 mobile given at registration (shown masked to roles that do not need it). */
    mobile: String,
    /** The household this resident belongs to (a roster household when the room and mobile matched). */
    householdId: Schema.Types.ObjectId,
    vulnerable: {
      elderlyAlone: { type: Boolean, default: false },
      chronicIllness: { type: Boolean, default: false },
      pregnancy: { type: Boolean, default: false },
      disability: { type: Boolean, default: false },
      infant: { type: Boolean, default: false },
    },
    /** The linked household is vulnerable (a roster's flags, or another member's): kept by `syncHouseholds`. */
    householdVulnerable: { type: Boolean, default: false },
    /**
     * Denormalised "any own flag set, or the household is vulnerable": the `vulnerable` notice
     * group is then one equality filter. Every write path spreads `residentVulnerability`.
     */
    isVulnerable: { type: Boolean, default: false },
    /** Approved volunteers form the `volunteers` target group. */
    volunteerStatus: { type: String, enum: ['none', 'pending', 'approved', 'suspended'], default: 'none' },
    /** Custom subscriber tags (e.g. `dialysis`, `floor-1`). */
    tags: { type: [String], default: [] },
  },
  { timestamps: true },
);
ResidentSchema.index({ channel: 1, openid: 1 }, { unique: true });
ResidentSchema.index({ 'registration.communityCode': 1, 'registration.buildingCode': 1 });
ResidentSchema.index({ tags: 1 });

// Documents saved through the model; the other write paths spread `residentVulnerability` (vulnerability.ts).
ResidentSchema.pre('save', function () {
  const v = this.vulnerable as Record<string, boolean> | undefined;
  this.isVulnerable = (!!v && Object.values(v).some(Boolean)) || !!this.householdVulnerable;
});

export type Resident = InferSchemaType<typeof ResidentSchema>;

/**
 * The `_id` a resident gets when first seen on a channel: derived from (channel, openid), so the
 * per-message upsert looks the resident up by `_id`. FerretDB 1.x (SQLite) answers only `_id`
 * lookups from an index; a `{channel, openid}` query scans the collection (10 ms at 100
 * residents, 500 ms at 4,000), which would blow WeChat's 5-second budget at community scale.
 * 96 bits of SHA-256 make a collision practically impossible; the unique (channel, openid)
 * index still guards against one.
 */
export function residentIdFor(channel: string, openid: string): Types.ObjectId {
  return new Types.ObjectId(crypto.createHash('sha256').update(`${channel}\u0000${openid}`).digest().subarray(0, 12));
}
