import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import type { Role } from '../../../models/staff-user.js';
import { liveProgress } from '../../../handlers/broadcast/progress.js';
import { Situation, SituationQuery, situation } from '../../../handlers/situation/situation.js';
import { redisBroadcastStore } from '../../broadcast/store.js';

/**
 * Who sees the situation page: it counts health reports by building and notice deliveries, so the
 * roles that hold both health data and notices — the committee and the street office.
 */
export const SITUATION_ROLES: readonly Role[] = ['committee', 'government'];

/** `GET /api/situation`: the console's situation figures (counts only) in the caller's scope. */
export function registerSituationRoute(router: Router<StaffState>, rt: Runtime): void {
  const store = redisBroadcastStore(rt.redis);
  const base = staffApiDeps(rt).health;
  const deps = { ...base, liveProgress: (id: string) => liveProgress({ models: rt.models, store }, id) };
  router.get(
    '/situation',
    requireStaff(rt, { roles: SITUATION_ROLES }),
    endpoint(
      {
        tag: 'situation',
        summary:
          'Counts for the situation page: reports by risk (14 days), red/yellow by building today, households not reported, open supply requests by priority and age, task fill, pending claims, notice deliveries',
        query: SituationQuery,
        response: Situation,
        errors: ['forbidden_scope', 'not_found'],
      },
      (ctx, { query }) => situation(deps, ctx.state.actor, query),
    ),
  );
}
