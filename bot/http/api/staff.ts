import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { createStaff, listStaff, revokeStaff } from '../../../handlers/staff/accounts.js';
import { invalid } from '../../../handlers/errors.js';
import type { StaffUser } from '../../../models/staff-user.js';

const view = (s: StaffUser) => ({
  id: String(s._id),
  name: s.name,
  role: s.role,
  duties: s.duties,
  scope: s.scope ?? {},
  tokenHint: s.tokenHint,
  revokedAt: s.revokedAt ?? null,
});

/** `GET /api/me` for everyone; staff accounts (list, create, revoke) for admins only. */
export function registerStaffRoutes(router: Router<StaffState>, rt: Runtime): void {
  router.get('/me', requireStaff(rt, { roles: ALL_ROLES }), (ctx) => {
    ctx.body = ctx.state.actor;
  });
  router.get('/staff', requireStaff(rt, { roles: ['admin'] }), async (ctx) => {
    ctx.body = { staff: (await listStaff(rt.models)).map(view) };
  });
  router.post('/staff', requireStaff(rt, { roles: ['admin'] }), async (ctx) => {
    const b = ctx.request.body as Record<string, unknown> | undefined;
    if (!b || typeof b !== 'object') throw invalid('expected a JSON object');
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
    const duties = b.duties === undefined ? [] : Array.isArray(b.duties) ? b.duties.map(String) : undefined;
    if (!duties) throw invalid('duties must be an array of verify, edit, release');
    const { staff, token } = await createStaff(rt.models, {
      name: str('name') ?? '',
      role: str('role') ?? '',
      streetCode: str('street'),
      communityCode: str('community'),
      buildingCode: str('building'),
      duties,
    });
    ctx.status = 201;
    ctx.body = { ...view(staff), token };
  });
  router.post('/staff/:id/revoke', requireStaff(rt, { roles: ['admin'] }), async (ctx) => {
    ctx.body = view(await revokeStaff(rt.models, String(ctx.params.id), rt.clock.now()));
  });
}
