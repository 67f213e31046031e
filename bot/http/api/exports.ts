import type Router from '@koa/router';
import { z } from 'zod';
import type { Middleware } from 'koa';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import type { Endpoint, EndpointSpec } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { parseQuery } from '../../../handlers/input.js';
import type { Role } from '../../../models/staff-user.js';
import { HEALTH_DATA_ROLES } from '../../../handlers/staff/data-roles.js';
import { exportTable, ExportQuery, type ExportKind } from '../../../handlers/exports/tables.js';
import { toCsv, toXlsx } from '../../../handlers/exports/files.js';
import { SUPPLY_READ_ROLES } from './supplies.js';
import { VOLUNTEER_ROLES } from './volunteers.js';
import { NOTICE_ROLES } from './notices.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ExportFile = z.string().meta({ id: 'ExportFile', description: 'the file: CSV (UTF-8 with BOM, a header row) or XLSX (one sheet, a header row)' });

/** Each export is readable by the roles that may read its records through the API. */
const KINDS: Record<ExportKind, readonly Role[]> = {
  'health-reports': HEALTH_DATA_ROLES,
  'supply-requests': SUPPLY_READ_ROLES,
  volunteers: VOLUNTEER_ROLES,
  deliveries: NOTICE_ROLES,
};

/** `GET /api/exports/<kind>?from&to&format=csv|xlsx[&community]`: a file download, listed in the OpenAPI document like every route. */
export function registerExportRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).health;
  for (const [kind, roles] of Object.entries(KINDS) as [ExportKind, readonly Role[]][]) {
    const spec: EndpointSpec = {
      tag: 'exports',
      summary: `${kind} of a range of local days in scope, as CSV or XLSX`,
      description: 'At most 92 days and 50,000 rows; each export is access-logged.',
      query: ExportQuery,
      response: ExportFile,
      contentType: ['text/csv', XLSX],
      errors: ['forbidden_scope', 'not_found'],
    };
    const download: Middleware<StaffState> = async (ctx) => {
      const q = parseQuery(ExportQuery, ctx.query);
      const table = await exportTable(deps, ctx.state.actor, kind, q);
      const name = `linli-${kind}-${q.from}-${q.to}.${q.format}`;
      ctx.set('content-disposition', `attachment; filename="${name}"`);
      ctx.set('cache-control', 'no-store');
      if (q.format === 'xlsx') {
        ctx.type = XLSX;
        ctx.body = await toXlsx(table, kind);
      } else {
        ctx.type = 'text/csv; charset=utf-8';
        ctx.body = toCsv(table);
      }
    };
    router.get(`/exports/${kind}`, requireStaff(rt, { roles }), Object.assign(download, { spec }) as Endpoint);
  }
}
