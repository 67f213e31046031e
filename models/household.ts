import { Schema, type Types } from 'mongoose';
import { derivedId } from './ids.js';

/**
 * A household (户): one dwelling, from the committee's roster or from residents' registration.
 * Its `_id` is derived from (community, building, unit, room), so a second import of the same
 * roster, or a resident registering the same room, lands on the same document.
 *
 * Members from a roster carry the last four digits of their mobile: a resident who registers
 * with the same room and a mobile ending in those digits is linked to the household.
 */
export interface HouseholdMember {
  name?: string;
  mobileLast4?: string;
  /** Set once a resident registered and was linked. */
  residentId?: Types.ObjectId;
}

export interface Household {
  _id: Types.ObjectId;
  communityCode: string;
  buildingCode: string;
  unit: string;
  room: string;
  size?: number;
  /**
   * The household's flags: the roster's (`rosterVulnerable`) and those its linked residents gave,
   * recomputed by `syncHouseholds` (handlers/residents/household-sync.ts) whenever either changes.
   */
  vulnerable: string[];
  /** Any vulnerable flag: linked residents join the `vulnerable` notice group; supply priority. */
  isVulnerable: boolean;
  /** What the committee's roster says (absent for households created in chat). */
  rosterVulnerable?: string[];
  members: HouseholdMember[];
  /** `roster` (imported) or `chat` (created by a resident's registration). */
  source: 'roster' | 'chat';
  /** The roster file and line it came from, for staff who fix a roster. */
  importedFrom?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export const HouseholdSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    communityCode: { type: String, required: true },
    buildingCode: { type: String, required: true },
    unit: { type: String, default: '' },
    room: { type: String, required: true },
    size: Number,
    vulnerable: { type: [String], default: [] },
    isVulnerable: { type: Boolean, default: false },
    rosterVulnerable: { type: [String], default: undefined },
    members: { type: [{ _id: false, name: String, mobileLast4: String, residentId: Schema.Types.ObjectId }], default: [] },
    source: { type: String, enum: ['roster', 'chat'], required: true },
    importedFrom: String,
  },
  { timestamps: true },
);
HouseholdSchema.index({ communityCode: 1, buildingCode: 1 });

/** A household's members; absent on a document FerretDB 1.x upserted with an empty array (it drops it). */
export const membersOf = (h: Pick<Household, 'members'> | null | undefined): HouseholdMember[] => h?.members ?? [];

/** Units and rooms are compared as typed digits without leading zeros ("0301" is "301"; no unit is ""). */
export const canonRoomPart = (s: string | undefined) => (s ?? '').trim().replace(/^0+(?=\d)/, '');

export function householdIdFor(communityCode: string, buildingCode: string, unit: string | undefined, room: string): Types.ObjectId {
  return derivedId('household', communityCode, buildingCode, canonRoomPart(unit), canonRoomPart(room));
}
