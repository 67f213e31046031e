/**
 * Communities and buildings by code, cached in process memory: every message needs a name or a
 * time zone, and places change a few times a year. A change shows within `ttlMs` (a minute).
 */
import type { Models } from '../../models/index.js';
import type { Clock } from '../ports.js';
import type { CommunityFact } from '../../flows/engine/facts.js';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface PlaceCommunity extends CommunityFact {
  streetCode: string;
  timeZone: string;
}

export interface PlaceDirectory {
  communities(): Promise<PlaceCommunity[]>;
  community(code: string | undefined): Promise<PlaceCommunity | undefined>;
}

export function placeDirectory(models: Models, clock: Clock, ttlMs = 60_000): PlaceDirectory {
  let cached: { at: number; list: Promise<PlaceCommunity[]> } | undefined;
  const load = async (): Promise<PlaceCommunity[]> => {
    const [communities, buildings] = await Promise.all([models.Community.find().sort({ code: 1 }).lean(), models.Building.find().sort({ code: 1 }).lean()]);
    return communities.map((c) => ({
      code: c.code,
      name: c.name,
      streetCode: c.streetCode,
      timeZone: (c as { timeZone?: string }).timeZone ?? DEFAULT_TIME_ZONE,
      buildings: buildings.filter((b) => b.communityCode === c.code).map((b) => ({ code: b.code, name: b.name })),
    }));
  };
  const all = () => {
    const now = clock.now().getTime();
    if (!cached || now - cached.at > ttlMs) {
      const list = load();
      cached = { at: now, list };
      list.catch(() => (cached = undefined)); // a failed load is retried on the next call
    }
    return cached.list;
  };
  return {
    communities: all,
    community: async (code) => (code ? (await all()).find((c) => c.code === code) : undefined),
  };
}
