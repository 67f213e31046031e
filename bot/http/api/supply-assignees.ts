import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { objectId } from '../../../handlers/input.js';
import { supplyScope } from '../../../handlers/supplies/staff-queries.js';
import { listSupplyAssignees, SupplyAssigneeList } from '../../../handlers/supplies/assignees.js';
import { SUPPLY_TRIAGE_ROLES } from './supplies.js';

/** `GET /api/supply-requests/:id/assignees`: whom the triage may assign this request to (the console's picker). */
export function registerSupplyAssigneeRoute(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).supplies;
  router.get(
    '/supply-requests/:id/assignees',
    requireStaff(rt, { roles: SUPPLY_TRIAGE_ROLES, scope: async (ctx) => [await supplyScope(deps, String(ctx.params.id))] }),
    endpoint(
      {
        tag: 'supplies',
        summary: 'The accounts this request can be assigned to (active committee, social_org and property accounts covering its building)',
        params: z.object({ id: objectId }),
        response: SupplyAssigneeList,
        errors: ['not_found'],
      },
      (ctx) => listSupplyAssignees(deps, String(ctx.params.id)),
    ),
  );
}
