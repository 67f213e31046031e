/** The staff-account routes' input and answers (also the OpenAPI document's). */
import { z } from 'zod';
import { buildingCode, placeCode, text } from '../input.js';
import { DUTIES, ROLES } from '../../models/staff-user.js';

export const ScopeView = z
  .object({ streetCode: z.string().optional(), communityCode: z.string().optional(), buildingCode: z.string().optional() })
  .meta({ id: 'Scope', description: 'street → community → building; none = platform-wide (admin)' });

export const ActorView = z
  .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), duties: z.array(z.enum(DUTIES)), scope: ScopeView })
  .meta({ id: 'Actor', description: 'The calling staff account' });

export const StaffAccountView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    duties: z.array(z.enum(DUTIES)),
    scope: ScopeView,
    tokenHint: z.string(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'StaffAccount' });

export const StaffList = z.object({ staff: z.array(StaffAccountView) }).meta({ id: 'StaffList' });
export const CreatedStaffAccount = StaffAccountView.extend({ token: z.string().meta({ description: 'the bearer token, shown once' }) }).meta({
  id: 'CreatedStaffAccount',
});

export const CreateStaffBody = z.strictObject({
  name: text(64),
  role: z.enum(ROLES),
  street: placeCode.optional(),
  community: placeCode.optional(),
  building: buildingCode.optional(),
  duties: z.array(z.enum(DUTIES)).optional(),
});
