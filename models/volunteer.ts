import { Schema, type Types } from 'mongoose';
import { AREAS, AVAILABILITY, SKILLS, type Area, type Availability, type Skill } from '../flows/volunteers/skills.js';
import { derivedId } from './ids.js';

export const VOLUNTEER_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];

/**
 * A resident who signed up to volunteer (志愿者报名). One per resident (`_id` derived from the
 * resident), so a retried message or a second sign-up after a rejection lands on the same
 * document; each sign-up is a new `round`, decided once by a `VolunteerDecision`.
 *
 * Personal data: name and mobile, which the volunteer agreed to share with staff (`consentAt`).
 */
export interface Volunteer {
  _id: Types.ObjectId;
  residentId: Types.ObjectId;
  name: string;
  /** E.164. */
  mobile: string;
  skills: Skill[];
  availability: Availability[];
  area: Area;
  streetCode?: string;
  communityCode: string;
  buildingCode?: string;
  status: VolunteerStatus;
  round: number;
  appliedAt: Date;
  consentAt: Date;
  decidedAt?: Date | null;
  decidedBy?: { id: string; name: string } | null;
  reason?: string | null;
  /** The message (and effect) that sent this round: a retry of it changes nothing. */
  sourceKey: string;
}

export const volunteerIdFor = (residentId: string | Types.ObjectId) => derivedId('volunteer', residentId);

export const VolunteerSchema = new Schema(
  {
    residentId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    mobile: { type: String, required: true },
    skills: { type: [String], enum: SKILLS, default: [] },
    availability: { type: [String], enum: AVAILABILITY, default: [] },
    area: { type: String, enum: AREAS, required: true },
    streetCode: String,
    communityCode: { type: String, required: true },
    buildingCode: String,
    status: { type: String, enum: VOLUNTEER_STATUSES, required: true },
    round: { type: Number, required: true },
    appliedAt: { type: Date, required: true },
    consentAt: { type: Date, required: true },
    decidedAt: { type: Date, default: null },
    decidedBy: { type: { _id: false, id: String, name: String }, default: null },
    reason: { type: String, default: null },
    sourceKey: { type: String, required: true },
  },
  { versionKey: false },
);
VolunteerSchema.index({ communityCode: 1, status: 1 });

/**
 * The approval or rejection of one sign-up round, inserted under `_id` = (volunteer, round): of
 * two staff deciding at once exactly one insert wins (FerretDB's conditional updates are not
 * atomic; unique `_id`s are). The volunteer document is then updated from it.
 */
export interface VolunteerDecision {
  _id: Types.ObjectId;
  volunteerId: Types.ObjectId;
  round: number;
  decision: 'approved' | 'rejected';
  reason?: string | null;
  actorId: string;
  actorName: string;
  at: Date;
}

export const volunteerDecisionIdFor = (volunteerId: string | Types.ObjectId, round: number) => derivedId('volunteer-decision', volunteerId, round);

export const VolunteerDecisionSchema = new Schema(
  {
    volunteerId: { type: Schema.Types.ObjectId, required: true },
    round: { type: Number, required: true },
    decision: { type: String, enum: ['approved', 'rejected'], required: true },
    reason: { type: String, default: null },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
