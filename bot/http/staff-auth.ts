import type { Middleware, ParameterizedContext } from 'koa';
import type { Role } from '../../models/staff-user.js';
import { ROLES } from '../../models/staff-user.js';
import { authenticate } from '../../handlers/staff/accounts.js';
import { requireRole, requireScope, type Actor, type ScopeTarget } from '../../handlers/staff/access.js';
import type { Runtime } from '../runtime.js';

export interface StaffState {
  actor: Actor;
}
export type ApiContext = ParameterizedContext<StaffState>;

/** Who may call a route: roles, and optionally where the resource lives (resolved per request). */
export interface RoutePolicy {
  roles: readonly Role[];
  /** Scope targets of the resource the request touches; every one must be in the caller's scope. */
  scope?: (ctx: ApiContext, rt: Runtime) => Promise<ScopeTarget[]> | ScopeTarget[];
}

export const ALL_ROLES = ROLES;

/**
 * The single guard in front of every `/api` route: bearer token → account (401 when missing,
 * unknown or revoked) → role (403 forbidden_role) → scope (403 forbidden_scope). The policy is
 * attached to the middleware so tests can enumerate every route and check it.
 */
export function requireStaff(rt: Runtime, policy: RoutePolicy): Middleware<StaffState> & { policy: RoutePolicy } {
  const mw: Middleware<StaffState> = async (ctx, next) => {
    const header = ctx.get('authorization');
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const actor = await authenticate(rt.models, token);
    requireRole(actor, policy.roles);
    if (policy.scope) requireScope(actor, await policy.scope(ctx, rt));
    ctx.state.actor = actor;
    await next();
  };
  return Object.assign(mw, { policy });
}
