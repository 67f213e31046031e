import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import {
  closeRound,
  createRound,
  getRound,
  listRounds,
  redeem,
  releaseRound,
  roundScope,
  roundSummary,
  type AllocationDeps,
} from '../../../handlers/allocations/staff-allocations.js';
import { redisAllocationLedger } from '../../allocations/ledger.js';
import { placesOf } from '../../conversation.js';
import { queueBulkMessages } from '../../outbound/bulk-messages.js';
import { placeScope } from './place-scope.js';

/** Who runs allocation rounds. */
export const ALLOCATION_ROLES: readonly Role[] = ['admin', 'government', 'committee'];
/** Who hands out at the pick-up desk: the committee and the property company. */
export const REDEEM_ROLES: readonly Role[] = ['admin', 'committee', 'property'];

/** `/api/allocations…`: thin adapters over handlers/allocations. The summary is for a public notice: any staff role in scope. */
export function registerAllocationRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps: AllocationDeps = {
    models: rt.models,
    places: placesOf(rt),
    clock: rt.clock,
    allocations: redisAllocationLedger(rt.redis),
    bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
  };
  const onRound = (roles: readonly Role[]) => requireStaff(rt, { roles, scope: async (ctx) => [await roundScope(rt.models, String(ctx.params.id))] });
  const readers = [...new Set([...ALLOCATION_ROLES, ...REDEEM_ROLES])];

  router.post('/allocations', requireStaff(rt, { roles: ALLOCATION_ROLES, scope: placeScope(rt, 'body') }), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createRound(deps, ctx.state.actor, ctx.request.body);
  });
  router.get('/allocations', requireStaff(rt, { roles: readers, scope: placeScope(rt, 'query') }), async (ctx) => {
    ctx.body = await listRounds(deps, ctx.state.actor, ctx.query);
  });
  router.get('/allocations/:id', onRound(readers), async (ctx) => {
    ctx.body = await getRound(deps, String(ctx.params.id));
  });
  router.post('/allocations/:id/release', onRound(ALLOCATION_ROLES), async (ctx) => {
    ctx.body = await releaseRound(deps, ctx.state.actor, String(ctx.params.id));
  });
  router.post('/allocations/:id/close', onRound(ALLOCATION_ROLES), async (ctx) => {
    ctx.body = await closeRound(deps, String(ctx.params.id));
  });
  router.post('/allocations/:id/redeem', onRound(REDEEM_ROLES), async (ctx) => {
    ctx.body = await redeem(deps, ctx.state.actor, String(ctx.params.id), ctx.request.body);
  });
  router.get('/allocations/:id/summary', onRound(ALL_ROLES), async (ctx) => {
    ctx.body = await roundSummary(deps, String(ctx.params.id));
  });
}
