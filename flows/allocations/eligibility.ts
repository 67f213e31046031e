/**
 * Who may book an allocation round now (issue #10, "fair allocation"): its community's residents
 * (or only some buildings' residents), and — when the round says so — vulnerable households alone
 * for the first hours after release. Pure, so the webhook effect, the facts loader and the offer
 * job decide alike.
 */
export interface AllocationEligibility {
  /** Only residents of these buildings (codes); absent or empty: the whole community. */
  buildings?: string[];
  /** For this many hours after release only vulnerable households may book. */
  vulnerableFirstHours?: number;
}

export interface EligibilityRound {
  status: string;
  communityCode: string;
  releasedAt?: Date | null;
  eligibility: AllocationEligibility;
}

export interface Booker {
  communityCode?: string;
  buildingCode?: string;
  /** The household (or the resident) has a vulnerable flag. */
  vulnerable: boolean;
}

export type Ineligible = 'not_open' | 'other_community' | 'other_building' | 'vulnerable_first';

/** When the vulnerable-first window closes (undefined: the round has none, or is not released). */
export function vulnerableWindowEnds(round: EligibilityRound): Date | undefined {
  const h = round.eligibility.vulnerableFirstHours;
  if (!h || !round.releasedAt) return undefined;
  return new Date(new Date(round.releasedAt).getTime() + h * 3_600_000);
}

/** Whether `who` may book `round` at `now`, and if not, why. */
export function canBook(round: EligibilityRound, who: Booker, now: Date): { ok: true } | { ok: false; reason: Ineligible } {
  if (round.status !== 'open') return { ok: false, reason: 'not_open' };
  if (who.communityCode !== round.communityCode) return { ok: false, reason: 'other_community' };
  const buildings = round.eligibility.buildings ?? [];
  if (buildings.length && !buildings.includes(who.buildingCode ?? '')) return { ok: false, reason: 'other_building' };
  const until = vulnerableWindowEnds(round);
  if (until && now < until && !who.vulnerable) return { ok: false, reason: 'vulnerable_first' };
  return { ok: true };
}
