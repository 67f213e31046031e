import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { createStaff, listStaff, revokeStaff, toActor } from '../../../handlers/staff/accounts.js';
import { ActorView, CreatedStaffAccount, CreateStaffBody, StaffAccountView, StaffList } from '../../../handlers/staff/schemas.js';
import { objectId } from '../../../handlers/input.js';
import type { StaffUser } from '../../../models/staff-user.js';

const view = (s: StaffUser): z.input<typeof StaffAccountView> => ({
  id: String(s._id),
  name: s.name,
  role: s.role,
  duties: s.duties,
  scope: toActor(s).scope,
  tokenHint: s.tokenHint,
  revokedAt: s.revokedAt ?? null,
});

/** `GET /api/me` for everyone; staff accounts (list, create, revoke) for admins only. */
export function registerStaffRoutes(router: Router<StaffState>, rt: Runtime): void {
  const tag = 'staff';
  router.get(
    '/me',
    requireStaff(rt, { roles: ALL_ROLES }),
    endpoint({ tag, summary: 'The calling account', response: ActorView }, (ctx) => ctx.state.actor),
  );
  router.get(
    '/staff',
    requireStaff(rt, { roles: ['admin'] }),
    endpoint({ tag, summary: 'Every staff account', response: StaffList }, async () => ({ staff: (await listStaff(rt.models)).map(view) })),
  );
  router.post(
    '/staff',
    requireStaff(rt, { roles: ['admin'] }),
    endpoint(
      { tag, summary: 'Create a staff account (the token is shown once)', body: CreateStaffBody, response: CreatedStaffAccount, status: 201 },
      async (_ctx, { body: b }) => {
        const { staff, token } = await createStaff(rt.models, {
          name: b.name,
          role: b.role,
          streetCode: b.street,
          communityCode: b.community,
          buildingCode: b.building,
          duties: b.duties ?? [],
        });
        return { ...view(staff), token };
      },
    ),
  );
  router.post(
    '/staff/:id/revoke',
    requireStaff(rt, { roles: ['admin'] }),
    endpoint(
      {
        tag,
        summary: 'Revoke an account (by id); revoking twice keeps the first time',
        params: z.object({ id: objectId }),
        response: StaffAccountView,
        errors: ['not_found'],
      },
      async (_ctx, { params }) => view(await revokeStaff(rt.models, params.id, rt.clock.now())),
    ),
  );
}
