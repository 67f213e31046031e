import { invalid } from '../../../handlers/errors.js';
import { communityScope } from '../../../handlers/places/communities.js';
import type { ScopeTarget } from '../../../handlers/staff/access.js';
import type { Runtime } from '../../runtime.js';
import type { ApiContext } from '../staff-auth.js';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * The place a collection request is about, from `community` (and optional `building`) in the query
 * or the body: the community must exist (404), and a building's account names its building.
 */
export function placeScope(rt: Runtime, from: 'query' | 'body') {
  return async (ctx: ApiContext): Promise<ScopeTarget[]> => {
    const src = (from === 'query' ? ctx.query : ctx.request.body) as Record<string, unknown> | undefined;
    const community = str(src?.community);
    if (!community) throw invalid('community is required', { field: 'community' });
    const building = str(src?.building);
    return [{ ...(await communityScope(rt.models, community)), ...(building ? { buildingCode: building } : {}) }];
  };
}
