import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Runtime } from '../../runtime.js';
import type { StaffState } from '../staff-auth.js';
import { registerPlaceRoutes } from './places.js';
import { registerStaffRoutes } from './staff.js';
import { registerNoticeRoutes } from './notices.js';
import { registerGateRoutes } from './gates.js';
import { registerAllocationRoutes } from './allocations.js';
import { registerVolunteerRoutes } from './volunteers.js';
import { registerOpenApiRoute } from './openapi.js';
import { registerHealthRoutes } from './health.js';
import { registerEscalationRoutes } from './escalations.js';
import { registerSupplyRoutes } from './supplies.js';
import { registerResidentRoutes } from './residents.js';
import { registerSupplyAssigneeRoute } from './supply-assignees.js';
import { registerSituationRoute } from './situation.js';
import { registerExportRoutes } from './exports.js';
import { registerRumorRoutes } from './rumors.js';

/** Route modules mounted under `/api`; a feature adds its module here. */
export const API_ROUTE_MODULES: Array<(router: Router<StaffState>, rt: Runtime) => void> = [
  registerStaffRoutes,
  registerPlaceRoutes,
  registerNoticeRoutes,
  registerGateRoutes,
  registerAllocationRoutes,
  registerVolunteerRoutes,
  registerHealthRoutes,
  registerEscalationRoutes,
  registerSupplyRoutes,
  registerSupplyAssigneeRoute,
  registerResidentRoutes,
  registerSituationRoute,
  registerExportRoutes,
  registerOpenApiRoute,
  registerRumorRoutes,
];

/** The staff JSON API. Every route is guarded by `requireStaff` (tests enumerate them). */
export function apiRouter(rt: Runtime): Router<StaffState> {
  const router = new Router<StaffState>({ prefix: '/api' });
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb', onError: (err, ctx) => ctx.throw(400, `body is not valid JSON: ${err.message}`) }));
  for (const register of API_ROUTE_MODULES) register(router, rt);
  return router;
}
