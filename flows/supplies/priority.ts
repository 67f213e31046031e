/**
 * Supply requests: categories, urgency, statuses and the triage priority (product.md: priority
 * = urgency + vulnerability + waiting time). Pure and tested; staff lists are ordered by it.
 */
export const SUPPLY_CATEGORIES = ['food', 'medicine', 'infant', 'hygiene', 'other'] as const;
export type SupplyCategory = (typeof SUPPLY_CATEGORIES)[number];

export const URGENCIES = ['today', 'three_days'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const SUPPLY_STATUSES = ['submitted', 'accepted', 'assigned', 'in_transit', 'delivered', 'rejected', 'cancelled'] as const;
export type SupplyStatus = (typeof SUPPLY_STATUSES)[number];
export const OPEN_SUPPLY_STATUSES: readonly SupplyStatus[] = ['submitted', 'accepted', 'assigned', 'in_transit'];
export const isOpenSupplyStatus = (s: SupplyStatus) => OPEN_SUPPLY_STATUSES.includes(s);

/** How long each urgency may wait before the resident is asked whether it is still needed. */
export const URGENCY_WINDOW_H: Record<Urgency, number> = { today: 24, three_days: 72 };

export interface PriorityInput {
  urgency: Urgency;
  category: SupplyCategory;
  /** The household's vulnerable flags (elderly alone, chronic illness, pregnancy, disability, infant). */
  vulnerable: string[];
  createdAt: Date;
  now: Date;
  /** The resident confirmed, past the urgency window, that it is still needed (the still-needed question). */
  stillNeeded?: boolean;
}

/** A confirmed "still needed" moves a request up by as much as a day's urgency over three days' (the reply promises it). */
export const STILL_NEEDED_BONUS = 30;

/**
 * A score; higher is served first. Urgency weighs most (today: 50, within three days: 20);
 * medicine and infant supplies add 10; each vulnerable flag adds 10 (at most 30); waiting adds 1
 * per hour, and past the urgency window 2 per hour more, so nobody waits forever behind newer
 * urgent requests; a resident's "still needed" adds `STILL_NEEDED_BONUS`.
 */
export function supplyPriority(p: PriorityInput): number {
  const waitedH = Math.max(0, (p.now.getTime() - p.createdAt.getTime()) / 3_600_000);
  const overdueH = Math.max(0, waitedH - URGENCY_WINDOW_H[p.urgency]);
  const urgency = p.urgency === 'today' ? 50 : 20;
  const category = p.category === 'medicine' || p.category === 'infant' ? 10 : 0;
  const vulnerable = Math.min(30, 10 * new Set(p.vulnerable).size);
  const confirmed = p.stillNeeded ? STILL_NEEDED_BONUS : 0;
  return Math.round((urgency + category + vulnerable + waitedH + 2 * overdueH + confirmed) * 10) / 10;
}
