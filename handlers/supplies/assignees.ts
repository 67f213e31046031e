/**
 * Who a supply request can be assigned to: the active committee, social_org and property accounts
 * whose scope covers the request's building — exactly those `assign` accepts, so the console
 * offers no one the API would refuse. Staff accounts are few; they are read whole.
 */
import { z } from 'zod';
import type { StaffUser } from '../../models/staff-user.js';
import { inScope } from '../staff/access.js';
import { toActor } from '../staff/accounts.js';
import { ASSIGNABLE } from './staff-actions.js';
import { loadSupplyRequest, type SupplyReadDeps } from './staff-queries.js';

export const SupplyAssigneeList = z
  .object({
    assignees: z.array(
      z.object({
        staffId: z.string(),
        name: z.string(),
        kind: z.enum(['staff', 'social_org', 'property']),
      }),
    ),
  })
  .meta({ id: 'SupplyAssigneeList' });

export async function listSupplyAssignees(deps: SupplyReadDeps, id: string): Promise<z.input<typeof SupplyAssigneeList>> {
  const r = await loadSupplyRequest(deps.models, id);
  const c = await deps.places.community(r.communityCode);
  const target = { streetCode: c?.streetCode, communityCode: r.communityCode, buildingCode: r.buildingCode };
  const staff = await deps.models.StaffUser.find({ role: { $in: Object.keys(ASSIGNABLE) as StaffUser['role'][] } }).lean<StaffUser[]>();
  const assignees = staff
    .filter((s) => !s.revokedAt && inScope(toActor(s), target))
    .map((s) => ({ staffId: String(s._id), name: s.name, kind: ASSIGNABLE[s.role]! }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return { assignees };
}
