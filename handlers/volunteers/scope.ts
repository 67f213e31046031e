/** Where volunteers and tasks live in the street → community → building tree, for access checks and lists. */
import type { Models } from '../../models/index.js';
import { invalid, notFound } from '../errors.js';
import type { PlaceDirectory } from '../places/directory.js';
import { inScope, requireScope, type Actor, type ScopeTarget } from '../staff/access.js';

export const scopeOf = (x: { streetCode?: string | null; communityCode: string; buildingCode?: string | null }): ScopeTarget => ({
  ...(x.streetCode ? { streetCode: x.streetCode } : {}),
  communityCode: x.communityCode,
  ...(x.buildingCode ? { buildingCode: x.buildingCode } : {}),
});

/** The scope of a volunteer or task by id (404 when there is none), for the route guard. */
export async function scopeById(model: Models['Volunteer'] | Models['VolunteerTask'], what: string, id: string): Promise<ScopeTarget> {
  const doc = /^[0-9a-f]{24}$/i.test(id)
    ? await (model as Models['Volunteer']).findById(id).lean<{ streetCode?: string; communityCode: string; buildingCode?: string | null }>()
    : null;
  if (!doc) throw notFound(what);
  return scopeOf(doc);
}

/**
 * The MongoDB filter for a list in the actor's scope, optionally narrowed to one community (400
 * when unknown, 403 when outside the scope). A building account sees its building only.
 */
export async function listFilter(places: PlaceDirectory, actor: Actor, community: string | undefined): Promise<Record<string, unknown>> {
  const s = actor.scope;
  const filter: Record<string, unknown> = {};
  if (community) {
    const c = await places.community(community);
    if (!c) throw invalid(`unknown community "${community}"`, { field: 'community' });
    const target = { streetCode: c.streetCode, communityCode: c.code };
    // A building account asking for its own community gets its building.
    if (!(s.buildingCode && s.communityCode === c.code) && !inScope(actor, target)) requireScope(actor, [target]);
    filter.communityCode = c.code;
  }
  if (s.buildingCode) Object.assign(filter, { communityCode: s.communityCode, buildingCode: s.buildingCode });
  else if (s.communityCode) filter.communityCode = s.communityCode;
  else if (s.streetCode && !community)
    filter.communityCode = { $in: (await places.communities()).filter((c) => c.streetCode === s.streetCode).map((c) => c.code) };
  return filter;
}
