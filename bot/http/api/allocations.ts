import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
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
import {
  CreateRoundBody,
  RedeemBody,
  Redemption,
  ReleasedRound,
  RoundDetail,
  RoundList,
  RoundParams,
  RoundSummary,
  RoundsQuery,
  RoundView,
} from '../../../handlers/allocations/schemas.js';
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
  const tag = 'allocations';
  const onRound = (roles: readonly Role[]) => requireStaff(rt, { roles, scope: async (ctx) => [await roundScope(rt.models, String(ctx.params.id))] });
  const readers = [...new Set([...ALLOCATION_ROLES, ...REDEEM_ROLES])];
  const params = RoundParams;

  router.post(
    '/allocations',
    requireStaff(rt, { roles: ALLOCATION_ROLES, scope: placeScope(rt, 'body') }),
    endpoint(
      {
        tag,
        summary: 'Create an allocation round (a draft, or released at once)',
        body: CreateRoundBody,
        response: RoundView,
        status: 201,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { body }) => createRound(deps, ctx.state.actor, body),
    ),
  );
  router.get(
    '/allocations',
    requireStaff(rt, { roles: readers, scope: placeScope(rt, 'query') }),
    endpoint({ tag, summary: 'A community’s allocation rounds, newest first', query: RoundsQuery, response: RoundList }, (ctx, { query }) =>
      listRounds(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/allocations/:id',
    onRound(readers),
    endpoint({ tag, summary: 'A round with its figures', params, response: RoundDetail, errors: ['not_found'] }, (_ctx, { params: p }) => getRound(deps, p.id)),
  );
  router.post(
    '/allocations/:id/release',
    onRound(ALLOCATION_ROLES),
    endpoint(
      {
        tag,
        summary: 'Release a draft: the ledger is loaded and the offer goes out',
        params,
        response: ReleasedRound,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { params: p }) => releaseRound(deps, ctx.state.actor, p.id),
    ),
  );
  router.post(
    '/allocations/:id/close',
    onRound(ALLOCATION_ROLES),
    endpoint({ tag, summary: 'Close a round: no more bookings', params, response: RoundView, errors: ['not_found'] }, (_ctx, { params: p }) =>
      closeRound(deps, p.id),
    ),
  );
  router.post(
    '/allocations/:id/redeem',
    onRound(REDEEM_ROLES),
    endpoint(
      { tag, summary: 'Hand out the booking of a pick-up code, once', params, body: RedeemBody, response: Redemption, errors: ['not_found', 'conflict_state'] },
      (ctx, { params: p, body }) => redeem(deps, ctx.state.actor, p.id, body),
    ),
  );
  router.get(
    '/allocations/:id/summary',
    onRound(ALL_ROLES),
    endpoint(
      { tag, summary: 'The round’s public figures: stock, booked, redeemed, left (nobody named)', params, response: RoundSummary, errors: ['not_found'] },
      (_ctx, { params: p }) => roundSummary(deps, p.id),
    ),
  );
}
