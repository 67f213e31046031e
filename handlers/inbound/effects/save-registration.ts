/**
 * A resident's registration: the resident's address and flags, and their household — a household
 * from the committee's roster when the room and the mobile's last four digits match, otherwise
 * the room's own (see `handlers/residents/link-household.ts`). The resident's `isVulnerable` is
 * written with the household's, and `syncHousehold` settles both sides afterwards, so the
 * `vulnerable` notice group is right on this write path too.
 */
import { residentVulnerability } from '../../../models/vulnerability.js';
import { linkHousehold, unlinkHousehold } from '../../residents/link-household.js';
import { syncHousehold } from '../../residents/household-sync.js';
import type { EffectHandler } from './ports.js';

export const saveRegistration: EffectHandler<'saveRegistration'> = async (deps, e, { resident, now }) => {
  const r = e.registration;
  const community = await deps.places.community(r.communityCode);
  const { household, unit } = await linkHousehold(deps.models, resident.id, r, now);
  const householdId = String(household._id);
  await deps.models.Resident.updateOne(
    { _id: resident.id },
    {
      $set: {
        registration: {
          streetCode: community?.streetCode,
          communityCode: r.communityCode,
          buildingCode: r.buildingCode,
          unit: r.unit ?? unit,
          room: r.room,
          householdSize: r.householdSize,
          registeredAt: now,
        },
        ...residentVulnerability(r.vulnerable, !!household.isVulnerable),
        householdId: household._id,
        ...(r.mobile ? { mobile: r.mobile } : {}),
      },
      ...(r.mobile ? {} : { $unset: { mobile: '' } }),
    },
  );
  // Registered again with another room: the old household loses this resident (and maybe its flags).
  if (resident.householdId && resident.householdId !== householdId && (await unlinkHousehold(deps.models, resident.householdId, resident.id))) {
    await syncHousehold(deps.models, resident.householdId);
  }
  await syncHousehold(deps.models, householdId);
  await deps.residents.changed(resident.channel, resident.openid);
  return { community: community?.name ?? r.communityCode };
};
