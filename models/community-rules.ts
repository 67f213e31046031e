import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';
import type { GateRules } from '../flows/gates/rules.js';

/** How home observation runs in a community: its length and the local times of its reminders and missed-report check. */
export interface ObservationSettings {
  days: number;
  /** Local `HH:mm` of the reminders to residents under observation who have not reported (twice a day). */
  remindAt: string[];
  /** Local `HH:mm` after which a day without a report alerts the building's staff. */
  missedAt: string;
}

/**
 * A community's rules for crises (issue #10): the closed-management gate rules, home observation
 * and the risk areas returnees are checked against. One document per community (`_id` from its
 * code); every change is an entry in the hash-chained audit trail (`community_rules`/<code>) at
 * `version` + 1, written first — the chain's unique `(subject, version)` decides between two
 * staff changing the rules at once, and the document is brought up to the chain afterwards.
 */
export interface CommunityRules {
  _id: Types.ObjectId;
  communityCode: string;
  version: number;
  gates: GateRules;
  observation: ObservationSettings;
  riskAreas: string[];
  updatedAt?: Date;
  updatedBy?: string;
}

export const CommunityRulesSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    communityCode: { type: String, required: true },
    version: { type: Number, required: true },
    gates: Schema.Types.Mixed,
    observation: Schema.Types.Mixed,
    riskAreas: { type: [String], default: [] },
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false, minimize: false },
);

export const communityRulesIdFor = (communityCode: string) => derivedId('community-rules', communityCode);
