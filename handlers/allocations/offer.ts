/**
 * A round's offer to the residents who may book it, through the bulk messages (queued, rate
 * limited, each resident once per wave): everyone; or, for a vulnerable-first round, vulnerable
 * households at release and the others when the window closes.
 */
import type { AllocationRound } from '../../models/allocation.js';
import type { Models } from '../../models/index.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';

export const ALLOCATION_OFFER = 'allocation-offer';

export type OfferWave = 'everyone' | 'vulnerable' | 'others';

export async function sendOffer(deps: { models: Models; bulk: BulkMessages }, round: AllocationRound, wave: OfferWave): Promise<number> {
  const [residents, vulnerableHouseholds] = await Promise.all([
    deps.models.Resident.find(
      { 'registration.communityCode': round.communityCode, subscribed: true },
      { _id: 1, isVulnerable: 1, householdId: 1, 'registration.buildingCode': 1 },
    ).lean<Array<{ _id: unknown; isVulnerable?: boolean; householdId?: unknown; registration?: { buildingCode?: string } }>>(),
    deps.models.Household.find({ communityCode: round.communityCode, isVulnerable: true }, { _id: 1 }).lean<Array<{ _id: unknown }>>(),
  ]);
  const vulnerable = new Set(vulnerableHouseholds.map((h) => String(h._id)));
  const buildings = round.eligibility.buildings ?? [];
  const residentIds = residents
    .filter((r) => !buildings.length || buildings.includes(r.registration?.buildingCode ?? ''))
    .filter((r) => {
      if (wave === 'everyone') return true;
      const v = !!r.isVulnerable || (!!r.householdId && vulnerable.has(String(r.householdId)));
      return wave === 'vulnerable' ? v : !v;
    })
    .map((r) => String(r._id));
  await deps.bulk.send({
    kind: ALLOCATION_OFFER,
    ref: `${String(round._id)}:${wave}`,
    title: { key: 'allocations:offer_title' },
    text: { key: 'allocations:offer', params: { item: round.item, stock: round.stock, limit: round.perHousehold } },
    residentIds,
  });
  return residentIds.length;
}
