import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { objectId } from '../../../handlers/input.js';
import type { Role } from '../../../models/staff-user.js';
import type { Actor } from '../../../handlers/staff/access.js';
import { getSupplyRequest, listSupplyRequests, supplyScope } from '../../../handlers/supplies/staff-queries.js';
import { acceptSupplyRequest, assignSupplyRequest, closeSupplyRequest, progressSupplyRequest } from '../../../handlers/supplies/staff-actions.js';
import {
  AcceptBody,
  AssignBody,
  ProgressBody,
  ReasonBody,
  SupplyListQuery,
  SupplyRequestDetail,
  SupplyRequestList,
  SupplyRequestView,
} from '../../../handlers/supplies/staff-schemas.js';

/**
 * Who does what with supply requests (product.md): the committee triages (accept, assign,
 * reject, cancel); social organisations and property companies see and deliver the requests
 * assigned to them; the street office and the party branch read everything in scope.
 */
export const SUPPLY_READ_ROLES: readonly Role[] = ['committee', 'government', 'party', 'social_org', 'property'];
export const SUPPLY_TRIAGE_ROLES: readonly Role[] = ['committee'];
export const SUPPLY_DELIVERY_ROLES: readonly Role[] = ['committee', 'social_org', 'property'];

const ACTION_ERRORS = ['not_found', 'conflict_state', 'not_assignee', 'forbidden_scope'] as const;

export function registerSupplyRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).supplies;
  const tag = 'supplies';
  const params = z.object({ id: objectId });
  const id = (ctx: ApiContext) => String(ctx.params.id);
  const onRequest = (roles: readonly Role[]) => requireStaff(rt, { roles, scope: async (ctx) => [await supplyScope(deps, id(ctx))] });

  router.get(
    '/supply-requests',
    requireStaff(rt, { roles: SUPPLY_READ_ROLES }),
    endpoint(
      {
        tag,
        summary: 'Supply requests in scope, open ones by priority (computed now), then closed ones',
        description: 'social_org and property accounts see only the requests assigned to them. Reads are access-logged.',
        query: SupplyListQuery,
        response: SupplyRequestList,
        errors: ['forbidden_scope', 'not_found'],
      },
      (ctx, { query }) => listSupplyRequests(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/supply-requests/:id',
    onRequest(SUPPLY_READ_ROLES),
    endpoint(
      {
        tag,
        summary: 'A supply request with its status history and the resident’s mobile',
        params,
        response: SupplyRequestDetail,
        errors: ['not_found', 'not_assignee'],
      },
      (ctx) => getSupplyRequest(deps, ctx.state.actor, id(ctx)),
    ),
  );
  const action = <B extends z.ZodType>(
    name: string,
    roles: readonly Role[],
    body: B,
    run: (d: typeof deps, actor: Actor, requestId: string, b: z.output<B>) => Promise<z.input<typeof SupplyRequestView>>,
    summary: string,
  ) =>
    router.post(
      `/supply-requests/:id/${name}`,
      onRequest(roles),
      endpoint(
        {
          tag,
          summary,
          description: 'The resident is told once (a job per status change). expectedSeq ≠ the request’s seq → 409.',
          params,
          body,
          response: SupplyRequestView,
          errors: ACTION_ERRORS,
        },
        (ctx, input) => run(deps, ctx.state.actor, id(ctx), input.body as z.output<B>),
      ),
    );
  action('accept', SUPPLY_TRIAGE_ROLES, AcceptBody, acceptSupplyRequest, 'submitted → accepted (optional quantities)');
  action('assign', SUPPLY_TRIAGE_ROLES, AssignBody, assignSupplyRequest, 'accepted or assigned → assigned to a committee, social_org or property account');
  action('in-transit', SUPPLY_DELIVERY_ROLES, ProgressBody, progressSupplyRequest('in_transit'), 'accepted or assigned → in transit');
  action('deliver', SUPPLY_DELIVERY_ROLES, ProgressBody, progressSupplyRequest('delivered'), 'accepted, assigned or in transit → delivered');
  action('reject', SUPPLY_TRIAGE_ROLES, ReasonBody, closeSupplyRequest('rejected'), 'submitted or accepted → rejected, with the reason the resident is told');
  action('cancel', SUPPLY_TRIAGE_ROLES, ReasonBody, closeSupplyRequest('cancelled'), 'an open request → cancelled, with the reason the resident is told');
}
