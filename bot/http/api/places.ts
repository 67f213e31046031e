import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { communityScope, getCommunity, listCommunities } from '../../../handlers/places/communities.js';
import { CommunityDetail, CommunityList, CommunityParams } from '../../../handlers/places/schemas.js';

/** Places in the caller's scope: `GET /api/communities`, `GET /api/communities/:code`. */
export function registerPlaceRoutes(router: Router<StaffState>, rt: Runtime): void {
  const tag = 'places';
  router.get(
    '/communities',
    requireStaff(rt, { roles: ALL_ROLES }),
    endpoint({ tag, summary: 'Communities in the caller’s scope', response: CommunityList }, async (ctx) => ({
      communities: await listCommunities(rt.models, ctx.state.actor),
    })),
  );
  router.get(
    '/communities/:code',
    requireStaff(rt, { roles: ALL_ROLES, scope: async (ctx) => [await communityScope(rt.models, String(ctx.params.code))] }),
    endpoint(
      { tag, summary: 'A community with its buildings', params: CommunityParams, response: CommunityDetail, errors: ['not_found'] },
      (_ctx, { params }) => getCommunity(rt.models, params.code),
    ),
  );
}
