import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { communityScope, getCommunity, listCommunities } from '../../../handlers/places/communities.js';

/** Places in the caller's scope: `GET /api/communities`, `GET /api/communities/:code`. */
export function registerPlaceRoutes(router: Router<StaffState>, rt: Runtime): void {
  router.get('/communities', requireStaff(rt, { roles: ALL_ROLES }), async (ctx) => {
    ctx.body = { communities: await listCommunities(rt.models, ctx.state.actor) };
  });
  router.get(
    '/communities/:code',
    requireStaff(rt, { roles: ALL_ROLES, scope: async (ctx) => [await communityScope(rt.models, String(ctx.params.code))] }),
    async (ctx) => {
      ctx.body = await getCommunity(rt.models, String(ctx.params.code));
    },
  );
}
