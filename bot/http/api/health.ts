import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { objectId } from '../../../handlers/input.js';
import { HEALTH_DATA_ROLES } from '../../../handlers/staff/data-roles.js';
import { HealthPlaceQuery, HealthReportList, HealthReportQuery, listHealthReports } from '../../../handlers/health/report-queries.js';
import { MissingReports, missingReports } from '../../../handlers/health/missing-reports.js';
import { AcknowledgeBody, acknowledgeAlert, AlertList, AlertQuery, alertScope, AlertView, listAlerts } from '../../../handlers/health/alerts.js';

const HEALTH = ' Health data: every read is access-logged.';
const LIST_ERRORS = ['forbidden_scope', 'not_found'] as const;

/** Health reports, who has not reported, and alerts: the health roles only (handlers/staff/data-roles.ts). */
export function registerHealthRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).health;
  const tag = 'health';
  const guard = requireStaff(rt, { roles: HEALTH_DATA_ROLES });
  router.get(
    '/health-reports',
    guard,
    endpoint(
      {
        tag,
        summary: "A day's health reports in scope, newest first",
        description: HEALTH,
        query: HealthReportQuery,
        response: HealthReportList,
        errors: LIST_ERRORS,
      },
      (ctx, { query }) => listHealthReports(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/health-reports/missing',
    guard,
    endpoint(
      {
        tag,
        summary: 'Households not (fully) reported on a day, roster households nobody registered in included',
        description: HEALTH,
        query: HealthPlaceQuery,
        response: MissingReports,
        errors: LIST_ERRORS,
      },
      (ctx, { query }) => missingReports(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/alerts',
    guard,
    endpoint(
      { tag, summary: 'Yellow and red alerts in scope, newest first', description: HEALTH, query: AlertQuery, response: AlertList, errors: LIST_ERRORS },
      (ctx, { query }) => listAlerts(deps, ctx.state.actor, query),
    ),
  );
  router.post(
    '/alerts/:id/acknowledge',
    requireStaff(rt, { roles: HEALTH_DATA_ROLES, scope: async (ctx) => [await alertScope(deps, String(ctx.params.id))] }),
    endpoint(
      {
        tag,
        summary: 'Acknowledge an alert (once)',
        params: z.object({ id: objectId }),
        body: AcknowledgeBody,
        response: AlertView,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { params, body }) => acknowledgeAlert(deps, ctx.state.actor, params.id, body),
    ),
  );
}
