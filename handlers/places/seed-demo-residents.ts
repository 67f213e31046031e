/**
 * The demo community's residents, each registered in a room of unit 1 with a household of their
 * own (as if they had registered in chat); some are vulnerable. Idempotent: residents and
 * households are upserted by their derived `_id`s, and the flags are written with
 * `residentVulnerability` and settled by `syncHouseholds`, like every other write path.
 */
import type { Models } from '../../models/index.js';
import { householdIdFor } from '../../models/household.js';
import { residentIdFor } from '../../models/resident.js';
import { orderedFlags, residentVulnerability } from '../../models/vulnerability.js';
import { syncHouseholds } from '../residents/household-sync.js';

export interface DemoPlace {
  streetCode: string;
  communityCode: string;
  buildingCodes: string[];
}

/** Resident i's flags: every fifth an elderly person living alone, every ninth with an infant. */
export const demoFlags = (i: number) => orderedFlags([...(i % 5 === 0 ? ['elderlyAlone'] : []), ...(i % 9 === 0 ? ['infant'] : [])]);

export async function seedDemoResidents(models: Models, place: DemoPlace, count: number): Promise<void> {
  const households = [];
  for (let i = 1; i <= count; i++) {
    const buildingCode = place.buildingCodes[i % place.buildingCodes.length]!;
    const room = `${100 + i}`;
    const flags = demoFlags(i);
    const vulnerable = residentVulnerability(flags, flags.length > 0);
    const openid = `demo-resident-${String(i).padStart(3, '0')}`;
    const _id = residentIdFor('wechat', openid);
    const householdId = householdIdFor(place.communityCode, buildingCode, '1', room);
    households.push(householdId);
    await models.Household.updateOne(
      { _id: householdId },
      {
        $setOnInsert: {
          communityCode: place.communityCode,
          buildingCode,
          unit: '1',
          room,
          size: 1 + (i % 4),
          source: 'chat',
          members: [{ residentId: _id }],
          vulnerable: flags,
          isVulnerable: flags.length > 0,
        },
      },
      { upsert: true },
    );
    await models.Resident.updateOne(
      // Matched by (channel, openid) so residents seeded before ids were derived still match.
      { channel: 'wechat', openid },
      {
        // Older demo databases get their household and flags too (syncHouseholds settles isVulnerable).
        $set: { householdId, vulnerable: vulnerable.vulnerable },
        $setOnInsert: {
          _id,
          householdVulnerable: vulnerable.householdVulnerable,
          isVulnerable: vulnerable.isVulnerable,
          language: i % 4 === 0 ? 'en' : 'zh-CN',
          subscribed: true,
          subscribedAt: new Date(),
          registration: {
            streetCode: place.streetCode,
            communityCode: place.communityCode,
            buildingCode,
            unit: '1',
            room,
            householdSize: 1 + (i % 4),
            registeredAt: new Date(),
          },
          volunteerStatus: i % 7 === 0 ? 'approved' : 'none',
          tags: i % 10 === 0 ? ['dialysis'] : [],
        },
      },
      { upsert: true },
    );
  }
  await syncHouseholds(models, households);
}
