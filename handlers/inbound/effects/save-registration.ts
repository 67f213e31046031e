/**
 * A resident's registration: the resident's address and flags, and their household. A household
 * the committee imported from its roster (same building, unit and room) is linked when the
 * resident's mobile ends in a member's last four digits; otherwise the resident's own household
 * is used — shared by everyone who registers the room, unless a roster household already holds it
 * (then the unmatched resident gets a household of their own for staff to reconcile).
 */
import { householdIdFor, type Household } from '../../../models/household.js';
import { derivedId } from '../../../models/ids.js';
import { vulnerabilityFields } from '../../../models/vulnerability.js';
import { mobileLast4 } from '../../../flows/engine/phone.js';
import type { RegistrationData } from '../../../flows/engine/effects.js';
import type { EffectDeps, EffectHandler } from './ports.js';

async function linkHousehold(deps: EffectDeps, residentId: string, r: RegistrationData, now: Date) {
  const roomId = householdIdFor(r.communityCode, r.buildingCode, r.unit, r.room);
  const existing = await deps.models.Household.findById(roomId).lean<Household>();
  const last4 = r.mobile ? mobileLast4(r.mobile) : undefined;
  const flags = vulnerabilityFields(r.vulnerable);
  if (existing?.source === 'roster') {
    const i = last4 ? existing.members.findIndex((m) => m.mobileLast4 === last4) : -1;
    if (i >= 0) {
      // The roster knows the household; the resident adds what they told us (flags are merged, never dropped).
      const merged = vulnerabilityFields([...new Set([...existing.vulnerable, ...r.vulnerable])]);
      await deps.models.Household.updateOne(
        { _id: roomId },
        {
          $set: {
            [`members.${i}.residentId`]: residentId,
            vulnerable: Object.keys(merged.vulnerable).filter((k) => merged.vulnerable[k as keyof typeof merged.vulnerable]),
            isVulnerable: merged.isVulnerable,
            updatedAt: now,
          },
        },
      );
      return roomId;
    }
  }
  const id = existing?.source === 'roster' ? derivedId('household-unmatched', roomId, residentId) : roomId;
  await deps.models.Household.updateOne(
    { _id: id },
    {
      $set: { size: r.householdSize, vulnerable: r.vulnerable, isVulnerable: flags.isVulnerable, updatedAt: now },
      $setOnInsert: {
        communityCode: r.communityCode,
        buildingCode: r.buildingCode,
        unit: r.unit ?? '',
        room: r.room,
        source: 'chat',
        members: [],
        createdAt: now,
      },
    },
    { upsert: true },
  );
  await deps.models.Household.updateOne(
    { _id: id, 'members.residentId': { $ne: residentId } },
    { $push: { members: { residentId, ...(last4 ? { mobileLast4: last4 } : {}) } } },
  );
  return id;
}

export const saveRegistration: EffectHandler<'saveRegistration'> = async (deps, e, { resident, now }) => {
  const r = e.registration;
  const community = await deps.places.community(r.communityCode);
  const householdId = await linkHousehold(deps, resident.id, r, now);
  await deps.models.Resident.updateOne(
    { _id: resident.id },
    {
      $set: {
        registration: {
          streetCode: community?.streetCode,
          communityCode: r.communityCode,
          buildingCode: r.buildingCode,
          unit: r.unit,
          room: r.room,
          householdSize: r.householdSize,
          registeredAt: now,
        },
        ...vulnerabilityFields(r.vulnerable),
        householdId,
        ...(r.mobile ? { mobile: r.mobile } : {}),
      },
      ...(r.mobile ? {} : { $unset: { mobile: '' } }),
    },
  );
  await deps.residents.changed(resident.channel, resident.openid);
  return { community: community?.name ?? r.communityCode };
};
