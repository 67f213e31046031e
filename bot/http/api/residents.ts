import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { HEALTH_DATA_ROLES } from '../../../handlers/staff/data-roles.js';
import { listResidents, ResidentList, ResidentQuery } from '../../../handlers/residents/queries.js';

/** Residents carry vulnerable flags (health data): the health roles only; mobiles in full for the committee. */
export function registerResidentRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).health;
  router.get(
    '/residents',
    requireStaff(rt, { roles: HEALTH_DATA_ROLES }),
    endpoint(
      {
        tag: 'residents',
        summary: 'Residents in scope, newest first',
        description: 'Mobile numbers masked except for the committee. Every read is access-logged, saying whether full numbers were shown.',
        query: ResidentQuery,
        response: ResidentList,
        errors: ['forbidden_scope', 'not_found'],
      },
      (ctx, { query }) => listResidents(deps, ctx.state.actor, query),
    ),
  );
}
