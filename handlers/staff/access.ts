import type { Duty, Role } from '../../models/staff-user.js';
import { AppError } from '../errors.js';

/** Where a resource lives in the street → community → building tree. */
export interface ScopeTarget {
  streetCode?: string;
  communityCode?: string;
  buildingCode?: string;
}

/** The parts of a staff account that access decisions need. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  duties: Duty[];
  scope: ScopeTarget;
}

/**
 * Is `target` inside the actor's scope? The actor's most specific code decides: a building
 * account sees only its building, a community account its community, a street account every
 * community of its street, and an account with no scope (platform admin) everything.
 */
export function inScope(actor: Actor, target: ScopeTarget): boolean {
  const s = actor.scope;
  if (s.buildingCode) return target.communityCode === s.communityCode && target.buildingCode === s.buildingCode;
  if (s.communityCode) return target.communityCode === s.communityCode;
  if (s.streetCode) return target.streetCode === s.streetCode;
  return actor.role === 'admin';
}

/** Throw 403 `forbidden_role` unless the actor holds one of `roles`. */
export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new AppError('forbidden_role', `role "${actor.role}" may not do this; allowed: ${roles.join(', ')}`);
  }
}

/** Throw 403 `forbidden_scope` unless every target is in the actor's scope. */
export function requireScope(actor: Actor, targets: ScopeTarget[]): void {
  const outside = targets.find((t) => !inScope(actor, t));
  if (outside) {
    const where = outside.buildingCode
      ? `building ${outside.communityCode}/${outside.buildingCode}`
      : outside.communityCode
        ? `community ${outside.communityCode}`
        : `street ${outside.streetCode ?? '(none)'}`;
    throw new AppError('forbidden_scope', `${where} is outside your scope`);
  }
}

/** Throw 403 `forbidden_duty` unless the actor was granted the audit duty. */
export function requireDuty(actor: Actor, duty: Duty): void {
  if (!actor.duties.includes(duty)) throw new AppError('forbidden_duty', `you do not hold the "${duty}" audit duty`);
}
