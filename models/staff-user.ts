import { Schema, type InferSchemaType } from 'mongoose';

/** Roles as in product.md "People and roles". */
export const ROLES = ['admin', 'government', 'party', 'committee', 'social_org', 'property', 'volunteer_lead'] as const;
export type Role = (typeof ROLES)[number];

/** Audit duties are grants separate from roles; one person never performs two on one item. */
export const DUTIES = ['verify', 'edit', 'release'] as const;
export type Duty = (typeof DUTIES)[number];

/**
 * A staff account. Its scope nests street → community → building; the most specific code set
 * is the scope level (none set = platform-wide, for admins). The bearer token is shown once and
 * only its SHA-256 is stored: tokens are 256-bit random, so a fast hash is enough.
 */
export const StaffUserSchema = new Schema(
  {
    name: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    duties: { type: [String], enum: DUTIES, default: [] },
    scope: {
      streetCode: String,
      communityCode: String,
      buildingCode: String,
    },
    tokenHash: { type: String, required: true, unique: true },
    /** First characters of the token, to tell accounts apart in `staff list`. */
    tokenHint: { type: String, required: true },
    revokedAt: Date,
    lastSeenAt: Date,
    /** WeCom UserID, when the staff member also uses the WeCom app. */
    wecomUserId: String,
  },
  { timestamps: true },
);
StaffUserSchema.index({ name: 1 });

export type StaffUser = InferSchemaType<typeof StaffUserSchema> & { _id: import('mongoose').Types.ObjectId };
