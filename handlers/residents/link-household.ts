/**
 * Which household a registering resident belongs to. A household the committee imported from its
 * roster is linked when the resident gives its building and room and a mobile ending in a roster
 * member's last four digits ("0301" is room "301"; no unit and an empty unit are the same). When
 * one side has no unit (the roster has "2单元301", the resident typed "301", or the other way
 * round; units 1–12 are tried), one roster household of that room with a matching member is linked too.
 *
 * Otherwise the resident gets the room's own household, shared by everyone who registers that
 * room in chat — unless a roster household holds the room: a resident whose mobile does not match
 * does not take it over, and gets a household of their own for staff to reconcile.
 */
import type { Types } from 'mongoose';
import { canonRoomPart, householdIdFor, membersOf, type Household, type HouseholdMember } from '../../models/household.js';
import { derivedId } from '../../models/ids.js';
import type { Models } from '../../models/index.js';
import type { RegistrationData } from '../../flows/engine/effects.js';
import { mobileLast4 } from '../../flows/engine/phone.js';

export interface LinkedHousehold {
  household: Household;
  /** The unit the household knows, when the resident gave none. */
  unit?: string;
}

/** Units tried when the resident gave none (buildings rarely have more). */
export const UNITS_PROBED = 12;

/**
 * The roster household this registration matches, if exactly one does. Looked up by `_id` only
 * (the one lookup FerretDB 1.x answers from an index; a query on other fields scans every
 * household): the exact room, else the same room with no unit, or with units 1–12 when the
 * resident gave none.
 */
async function rosterMatch(models: Models, r: RegistrationData, last4: string | undefined, exact: Household | null): Promise<Household | undefined> {
  if (!last4) return undefined;
  const holds = (h: Household | null): h is Household => h?.source === 'roster' && membersOf(h).some((m) => m.mobileLast4 === last4);
  if (holds(exact)) return exact;
  const units = canonRoomPart(r.unit) ? [''] : Array.from({ length: UNITS_PROBED }, (_, i) => String(i + 1));
  const found = (
    await Promise.all(units.map((u) => models.Household.findById(householdIdFor(r.communityCode, r.buildingCode, u, r.room)).lean<Household>()))
  ).filter(holds);
  return found.length === 1 ? found[0] : undefined;
}

/** Add the resident to a roster household: on the member with their last four digits, or beside it when that one is taken. */
async function joinRoster(models: Models, h: Household, residentId: string, last4: string, now: Date) {
  if (membersOf(h).some((m) => String(m.residentId) === residentId)) return;
  const i = membersOf(h).findIndex((m) => m.mobileLast4 === last4 && !m.residentId);
  if (i >= 0) await models.Household.updateOne({ _id: h._id }, { $set: { [`members.${i}.residentId`]: residentId, updatedAt: now } });
  else await models.Household.updateOne({ _id: h._id }, { $push: { members: { mobileLast4: last4, residentId } }, $set: { updatedAt: now } });
}

/** The room's household from chat (created on first registration), with the resident as a member. */
async function joinOwn(
  models: Models,
  id: Types.ObjectId,
  r: RegistrationData,
  residentId: string,
  last4: string | undefined,
  now: Date,
): Promise<Household | null> {
  const member = { residentId, ...(last4 ? { mobileLast4: last4 } : {}) };
  await models.Household.updateOne(
    { _id: id },
    {
      $set: { size: r.householdSize, updatedAt: now },
      // Not empty: FerretDB 1.x drops an empty array from an upsert's $setOnInsert (`syncHousehold` writes the flags).
      $setOnInsert: {
        communityCode: r.communityCode,
        buildingCode: r.buildingCode,
        unit: canonRoomPart(r.unit),
        room: canonRoomPart(r.room),
        source: 'chat',
        members: [member],
        isVulnerable: false,
        createdAt: now,
      },
    },
    { upsert: true },
  );
  // Checked in memory: a filter on anything but `_id` would scan every household on FerretDB.
  const h = await models.Household.findById(id).lean<Household>();
  if (membersOf(h).some((m) => String(m.residentId) === residentId)) return h;
  await models.Household.updateOne({ _id: id }, { $push: { members: member } });
  return models.Household.findById(id).lean<Household>();
}

/**
 * Link the resident to their household (see the header) and return it. Idempotent: a retry of
 * the same registration links the same household and adds no second member.
 */
export async function linkHousehold(models: Models, residentId: string, r: RegistrationData, now: Date): Promise<LinkedHousehold> {
  const roomId = householdIdFor(r.communityCode, r.buildingCode, r.unit, r.room);
  const exact = await models.Household.findById(roomId).lean<Household>();
  const last4 = r.mobile ? mobileLast4(r.mobile) : undefined;
  const roster = await rosterMatch(models, r, last4, exact);
  if (roster) {
    await joinRoster(models, roster, residentId, last4!, now);
    return { household: roster, ...(!canonRoomPart(r.unit) && roster.unit ? { unit: roster.unit } : {}) };
  }
  const id = exact?.source === 'roster' ? derivedId('household-unmatched', roomId, residentId) : roomId;
  return { household: (await joinOwn(models, id, r, residentId, last4, now))! };
}

/**
 * The resident moved to another household (registered again with another room): they no longer
 * belong to the old one. A roster member keeps its row (the roster's next import decides); a
 * member who came only from chat is removed.
 */
export async function unlinkHousehold(models: Models, householdId: string, residentId: string): Promise<boolean> {
  const h = await models.Household.findById(householdId).lean<Household>();
  if (!h || !membersOf(h).some((m) => String(m.residentId) === residentId)) return false;
  const members = membersOf(h).flatMap((m): HouseholdMember[] => {
    if (String(m.residentId) !== residentId) return [m];
    if (h.source !== 'roster') return [];
    const { residentId: _gone, ...rest } = m;
    return [rest];
  });
  await models.Household.updateOne({ _id: h._id }, { $set: { members } });
  return true;
}
