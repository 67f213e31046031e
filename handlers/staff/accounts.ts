import crypto from 'node:crypto';
import type { Models } from '../../models/index.js';
import { DUTIES, ROLES, type Duty, type Role, type StaffUser } from '../../models/staff-user.js';
import { AppError, invalid } from '../errors.js';
import type { Actor, ScopeTarget } from './access.js';

const TOKEN_PREFIX = 'llt_';

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export interface CreateStaffInput {
  name: string;
  role: string;
  streetCode?: string;
  communityCode?: string;
  buildingCode?: string;
  duties?: string[];
  wecomUserId?: string;
}

/**
 * Create a staff account and return its bearer token, which is never stored or shown again.
 * The scope is resolved against the place tree so a typo in a code fails here, not at first use.
 */
export async function createStaff(models: Models, input: CreateStaffInput): Promise<{ staff: StaffUser; token: string }> {
  const name = input.name?.trim();
  if (!name) throw invalid('name is required');
  if (!ROLES.includes(input.role as Role)) throw invalid(`role must be one of ${ROLES.join(', ')}`);
  const duties = [...new Set(input.duties ?? [])];
  const badDuty = duties.find((d) => !DUTIES.includes(d as Duty));
  if (badDuty) throw invalid(`unknown duty "${badDuty}"; duties are ${DUTIES.join(', ')}`);
  const scope = await resolveScope(models, input);
  if (!scope.streetCode && input.role !== 'admin') throw invalid(`role ${input.role} needs a scope: --street, --community or --community with --building`);
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const staff = await models.StaffUser.create({
    name,
    role: input.role as Role,
    duties: duties as Duty[],
    scope,
    tokenHash: hashToken(token),
    tokenHint: token.slice(0, TOKEN_PREFIX.length + 6),
    wecomUserId: input.wecomUserId,
  });
  return { staff: (staff as unknown as { toObject(): StaffUser }).toObject(), token };
}

async function resolveScope(models: Models, input: CreateStaffInput): Promise<ScopeTarget> {
  if (input.buildingCode && !input.communityCode) throw invalid('--building needs --community');
  if (input.communityCode) {
    const community = await models.Community.findOne({ code: input.communityCode }).lean();
    if (!community) throw invalid(`unknown community "${input.communityCode}"`);
    if (input.streetCode && input.streetCode !== community.streetCode) throw invalid(`community ${input.communityCode} is not in street ${input.streetCode}`);
    if (input.buildingCode) {
      const building = await models.Building.findOne({ communityCode: input.communityCode, code: input.buildingCode }).lean();
      if (!building) throw invalid(`unknown building "${input.buildingCode}" in community ${input.communityCode}`);
    }
    return { streetCode: community.streetCode, communityCode: input.communityCode, ...(input.buildingCode ? { buildingCode: input.buildingCode } : {}) };
  }
  if (input.streetCode) {
    if (!(await models.Street.exists({ code: input.streetCode }))) throw invalid(`unknown street "${input.streetCode}"`);
    return { streetCode: input.streetCode };
  }
  return {};
}

export function toActor(staff: StaffUser): Actor {
  const scope: ScopeTarget = {};
  if (staff.scope?.streetCode) scope.streetCode = staff.scope.streetCode;
  if (staff.scope?.communityCode) scope.communityCode = staff.scope.communityCode;
  if (staff.scope?.buildingCode) scope.buildingCode = staff.scope.buildingCode;
  return { id: String(staff._id), name: staff.name, role: staff.role as Role, duties: (staff.duties ?? []) as Duty[], scope };
}

/** Look up the account behind a bearer token; a missing, unknown or revoked token is 401. */
export async function authenticate(models: Models, token: string | undefined): Promise<Actor> {
  if (!token) throw new AppError('unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
  const staff = await models.StaffUser.findOne({ tokenHash: hashToken(token) }).lean<StaffUser>();
  if (!staff) throw new AppError('unauthorized', 'unknown token');
  if (staff.revokedAt) throw new AppError('unauthorized', 'this token has been revoked');
  return toActor(staff);
}

export async function listStaff(models: Models): Promise<StaffUser[]> {
  return models.StaffUser.find().sort({ createdAt: 1 }).lean<StaffUser[]>();
}

/** Revoke by id or token hint; revoking twice is harmless. */
export async function revokeStaff(models: Models, idOrHint: string, now: Date): Promise<StaffUser> {
  const query = /^[0-9a-f]{24}$/.test(idOrHint) ? { _id: idOrHint } : { tokenHint: idOrHint };
  // Set revokedAt only if unset (no update pipeline: mongoose 9 refuses one without an option).
  const staff =
    (await models.StaffUser.findOneAndUpdate({ ...query, revokedAt: null }, { $set: { revokedAt: now } }, { returnDocument: 'after' }).lean<StaffUser>()) ??
    (await models.StaffUser.findOne(query).lean<StaffUser>());
  if (!staff) throw new AppError('not_found', `no staff account "${idOrHint}"`);
  return staff;
}
