/**
 * A household's flags and its residents' `isVulnerable`, recomputed from where they come from:
 * the roster's flags (`rosterVulnerable`) and the own flags of every linked resident. Run after
 * either side changes — a registration in chat, a roster import — so a roster that lists an
 * elderly person living alone puts the residents linked to that household in the `vulnerable`
 * notice group, and a resident's "infant" counts for the whole household.
 *
 * Reads go by `_id` (members name their residents), the one lookup FerretDB 1.x answers from an
 * index; only documents that differ are written, so running it twice writes nothing.
 */
import type { Types } from 'mongoose';
import { membersOf, type Household } from '../../models/household.js';
import type { Models } from '../../models/index.js';
import { flagsOf, orderedFlags, residentVulnerability } from '../../models/vulnerability.js';

/** How many documents a sync changed. */
export interface SyncCount {
  households: number;
  residents: number;
}

type LinkedResident = {
  _id: Types.ObjectId;
  householdId?: Types.ObjectId;
  vulnerable?: Record<string, boolean>;
  householdVulnerable?: boolean;
  isVulnerable?: boolean;
};

export async function syncHousehold(models: Models, id: Types.ObjectId | string): Promise<SyncCount> {
  const count: SyncCount = { households: 0, residents: 0 };
  const h = await models.Household.findById(id).lean<Household>();
  if (!h) return count;
  const ids = [
    ...new Set(
      membersOf(h)
        .filter((m) => m.residentId)
        .map((m) => String(m.residentId)),
    ),
  ];
  const found = await Promise.all(ids.map((r) => models.Resident.findById(r).lean<LinkedResident>()));
  // A resident who has since registered elsewhere no longer speaks for this household.
  const linked = found.filter((r): r is LinkedResident => !!r && String(r.householdId) === String(h._id));
  const vulnerable = orderedFlags([...(h.rosterVulnerable ?? []), ...linked.flatMap((r) => flagsOf(r.vulnerable))]);
  const isVulnerable = vulnerable.length > 0;
  if (vulnerable.join() !== (h.vulnerable ?? []).join() || isVulnerable !== !!h.isVulnerable) {
    await models.Household.updateOne({ _id: h._id }, { $set: { vulnerable, isVulnerable } });
    count.households++;
  }
  for (const r of linked) {
    const want = residentVulnerability(flagsOf(r.vulnerable), isVulnerable);
    if (want.householdVulnerable === !!r.householdVulnerable && want.isVulnerable === !!r.isVulnerable) continue;
    await models.Resident.updateOne({ _id: r._id }, { $set: { householdVulnerable: want.householdVulnerable, isVulnerable: want.isVulnerable } });
    count.residents++;
  }
  return count;
}

/** `syncHousehold` for several households, one after another (each is a handful of `_id` reads). */
export async function syncHouseholds(models: Models, ids: Iterable<Types.ObjectId | string>): Promise<SyncCount> {
  const total: SyncCount = { households: 0, residents: 0 };
  for (const id of new Set([...ids].map(String))) {
    const c = await syncHousehold(models, id);
    total.households += c.households;
    total.residents += c.residents;
  }
  return total;
}
