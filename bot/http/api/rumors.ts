import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { ALL_ROLES, requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import type { RumorDeps } from '../../../handlers/rumors/deps.js';
import { correctFactCheck, createFactCheck, updateFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { editFactCheck, rejectFactCheck, releaseFactCheck, verifyFactCheck, withdrawFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { answerClaim, dismissClaim, getClaim, listClaims } from '../../../handlers/rumors/claims.js';
import { getFactCheck, listFactChecks, matchRumor } from '../../../handlers/rumors/queries.js';
import { ClaimListQuery, parseRumorQuery } from '../../../handlers/rumors/schemas.js';
import { queueBulkMessages } from '../../outbound/bulk-messages.js';
import { lazyFactBase } from '../../rumors/live-base.js';

/** Who writes fact-checks and answers claims (product.md: the committee runs day-to-day work). */
export const FACT_CHECK_WRITERS: readonly Role[] = ['committee'];
/**
 * Who works with fact-checks and claims: the writers, and the roles that usually hold the audit
 * duties (duties are checked per action on top of the role), as for notices.
 */
export const RUMOR_ROLES: readonly Role[] = ['committee', 'government', 'party', 'admin'];

const body = (ctx: ApiContext) => ctx.request.body as unknown;
const id = (ctx: ApiContext) => String(ctx.params.id);

/**
 * `/api/rumors…`: thin adapters over handlers/rumors, every route guarded by requireStaff.
 * Fact-checks and claims are platform-wide — a rumour is not confined to one community, and one
 * fact-check answers residents everywhere — so the routes check roles and duties, not scopes.
 */
export function registerRumorRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps: RumorDeps = {
    models: rt.models,
    clock: rt.clock,
    facts: lazyFactBase(rt),
    bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
    log: rt.log,
  };
  const writers = () => requireStaff(rt, { roles: FACT_CHECK_WRITERS });
  const staff = () => requireStaff(rt, { roles: RUMOR_ROLES });

  router.post('/rumors/match', requireStaff(rt, { roles: ALL_ROLES }), async (ctx) => {
    ctx.body = await matchRumor(deps, body(ctx));
  });

  router.get('/rumors/claims', staff(), async (ctx) => {
    ctx.body = await listClaims(deps, parseRumorQuery(ClaimListQuery, ctx.query));
  });
  router.get('/rumors/claims/:id', staff(), async (ctx) => {
    ctx.body = await getClaim(deps, id(ctx));
  });
  router.post('/rumors/claims/:id/fact-check', writers(), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createFactCheck(deps, ctx.state.actor, body(ctx), id(ctx));
  });
  router.post('/rumors/claims/:id/answer', writers(), async (ctx) => {
    ctx.body = await answerClaim(deps, ctx.state.actor, id(ctx), body(ctx));
  });
  router.post('/rumors/claims/:id/dismiss', writers(), async (ctx) => {
    ctx.body = await dismissClaim(deps, ctx.state.actor, id(ctx), body(ctx));
  });

  router.post('/rumors/fact-checks', writers(), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createFactCheck(deps, ctx.state.actor, body(ctx));
  });
  router.get('/rumors/fact-checks', staff(), async (ctx) => {
    ctx.body = await listFactChecks(deps, ctx.query);
  });
  router.get('/rumors/fact-checks/:id', staff(), async (ctx) => {
    ctx.body = await getFactCheck(deps, id(ctx));
  });
  router.patch('/rumors/fact-checks/:id', writers(), async (ctx) => {
    ctx.body = await updateFactCheck(deps, ctx.state.actor, id(ctx), body(ctx));
  });
  router.post('/rumors/fact-checks/:id/correct', writers(), async (ctx) => {
    ctx.body = await correctFactCheck(deps, ctx.state.actor, id(ctx), body(ctx));
  });
  const actions = { verify: verifyFactCheck, edit: editFactCheck, release: releaseFactCheck, reject: rejectFactCheck, withdraw: withdrawFactCheck } as const;
  for (const [name, action] of Object.entries(actions)) {
    router.post(`/rumors/fact-checks/:id/${name}`, staff(), async (ctx) => {
      ctx.body = await action(deps, ctx.state.actor, id(ctx), body(ctx));
    });
  }
}
