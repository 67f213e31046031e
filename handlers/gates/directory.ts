/**
 * Every gate, for the conversation (a scan names a gate by id, and a visitor may live anywhere),
 * cached in process memory like the place directory: gates change a few times a year. A gate
 * created by this process shows at once (`forget`); others' within `ttlMs`.
 */
import type { Models } from '../../models/index.js';
import type { Gate } from '../../models/gate.js';
import type { GateFact } from '../../flows/engine/facts.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';

export interface GateDirectory {
  list(): Promise<GateFact[]>;
  forget(): void;
}

export function gateDirectory(models: Models, places: PlaceDirectory, clock: Clock, ttlMs = 60_000): GateDirectory {
  let cached: { at: number; list: Promise<GateFact[]> } | undefined;
  const load = async (): Promise<GateFact[]> => {
    const [gates, communities] = await Promise.all([models.Gate.find().sort({ communityCode: 1, name: 1 }).lean<Gate[]>(), places.communities()]);
    return gates.map((g) => ({
      id: String(g._id),
      name: g.name,
      communityCode: g.communityCode,
      communityName: communities.find((c) => c.code === g.communityCode)?.name ?? g.communityCode,
      ...(g.buildingCode ? { buildingCode: g.buildingCode } : {}),
    }));
  };
  return {
    list() {
      const now = clock.now().getTime();
      if (!cached || now - cached.at > ttlMs) {
        const list = load();
        cached = { at: now, list };
        list.catch(() => (cached = undefined));
      }
      return cached.list;
    },
    forget: () => void (cached = undefined),
  };
}
