/**
 * The place part of a staff list's filter: the community and building the caller asked for
 * (which must lie in their scope: 403 forbidden_scope; unknown ones 404), or else their whole
 * scope. A building account always sees only its building, a street account the communities of
 * its street, a platform admin everything.
 */
import { invalid, notFound } from '../errors.js';
import { requireScope, type Actor } from '../staff/access.js';
import type { PlaceCommunity, PlaceDirectory } from './directory.js';

export interface PlaceQuery {
  community?: string;
  building?: string;
}

/** Where a collection keeps a record's community and building. */
export interface PlaceFields {
  community: string;
  building: string;
}
export const RECORD_PLACE: PlaceFields = { community: 'communityCode', building: 'buildingCode' };
export const RESIDENT_PLACE: PlaceFields = { community: 'registration.communityCode', building: 'registration.buildingCode' };

interface Selected {
  community?: string | { $in: string[] };
  building?: string;
}

export interface PlaceSelection {
  /** A MongoDB filter on a collection's place fields; null = the caller sees nothing. */
  where(fields?: PlaceFields): Record<string, unknown> | null;
  /** The communities selected (for their time zones). */
  communities: PlaceCommunity[];
  /** The one building selected, if any. */
  building?: string;
}

function selection(sel: Selected | null, communities: PlaceCommunity[]): PlaceSelection {
  return {
    communities,
    ...(sel?.building ? { building: sel.building } : {}),
    where: (fields = RECORD_PLACE) =>
      sel && {
        ...(sel.community !== undefined ? { [fields.community]: sel.community } : {}),
        ...(sel.building !== undefined ? { [fields.building]: sel.building } : {}),
      },
  };
}

export async function placeFilter(places: PlaceDirectory, actor: Actor, q: PlaceQuery): Promise<PlaceSelection> {
  const s = actor.scope;
  const all = await places.communities();
  const code = q.community ?? (q.building ? s.communityCode : undefined);
  if (q.building && !code) throw invalid('building needs community', { field: 'building', reason: 'needs community' });
  if (code) {
    const c = all.find((x) => x.code === code);
    if (!c) throw notFound(`community "${code}"`);
    // A building account asking for its community gets its building.
    const building = q.building ?? (s.buildingCode && s.communityCode === code ? s.buildingCode : undefined);
    if (building && !c.buildings.some((b) => b.code === building)) throw notFound(`building "${building}" in community ${code}`);
    requireScope(actor, [{ streetCode: c.streetCode, communityCode: code, ...(building ? { buildingCode: building } : {}) }]);
    return selection({ community: code, ...(building ? { building } : {}) }, [c]);
  }
  if (s.communityCode) {
    return selection(
      { community: s.communityCode, ...(s.buildingCode ? { building: s.buildingCode } : {}) },
      all.filter((x) => x.code === s.communityCode),
    );
  }
  if (s.streetCode) {
    const street = all.filter((x) => x.streetCode === s.streetCode);
    return selection({ community: { $in: street.map((x) => x.code) } }, street);
  }
  return actor.role === 'admin' ? selection({}, all) : selection(null, []);
}
