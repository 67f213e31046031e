/**
 * Bands for the situation chart of open supply requests. Priority (flows/supplies/priority.ts)
 * starts at 50 for "today" and 20 for "within 3 days" and grows with vulnerability and waiting:
 * ≥ 60 is an urgent request with something more (or one left waiting), < 30 a fresh routine one.
 */
export type PriorityBand = 'high' | 'medium' | 'low';
export type AgeBand = 'under1d' | 'from1to3d' | 'over3d';

export const priorityBand = (p: number | null): PriorityBand => (p === null || p < 30 ? 'low' : p < 60 ? 'medium' : 'high');

export function ageBand(createdAt: Date, now: Date): AgeBand {
  const h = (now.getTime() - createdAt.getTime()) / 3_600_000;
  return h < 24 ? 'under1d' : h <= 72 ? 'from1to3d' : 'over3d';
}
