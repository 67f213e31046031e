import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { ALL_ROLES, requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import type { Role } from '../../../models/staff-user.js';
import { objectId } from '../../../handlers/input.js';
import type { RumorDeps } from '../../../handlers/rumors/deps.js';
import { correctFactCheck, createFactCheck, updateFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { editFactCheck, rejectFactCheck, releaseFactCheck, verifyFactCheck, withdrawFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { answerClaim, dismissClaim, getClaim, listClaims } from '../../../handlers/rumors/claims.js';
import { getFactCheck, listFactChecks, matchRumor } from '../../../handlers/rumors/queries.js';
import {
  AnswerClaim,
  AuditAction,
  ChangeFactCheck,
  ClaimListQuery,
  CorrectFactCheck,
  CreateFactCheck,
  CreateForClaim,
  DismissClaim,
  FactCheckListQuery,
  MatchQuery,
  RejectAction,
} from '../../../handlers/rumors/schemas.js';
import {
  AnsweredClaimView,
  ClaimDetail,
  ClaimList,
  CreatedFactCheckView,
  DismissedClaimView,
  FactCheckDetail,
  FactCheckList,
  FactCheckRefView,
  ReleasedFactCheckView,
  RumorMatchView,
} from '../../../handlers/rumors/responses.js';
import { queueBulkMessages } from '../../outbound/bulk-messages.js';
import { lazyFactBase } from '../../rumors/live-base.js';

/** Who writes fact-checks and answers claims (product.md: the committee runs day-to-day work). */
export const FACT_CHECK_WRITERS: readonly Role[] = ['committee'];
/**
 * Who works with fact-checks and claims: the writers, and the roles that usually hold the audit
 * duties (duties are checked per action on top of the role), as for notices.
 */
export const RUMOR_ROLES: readonly Role[] = ['committee', 'government', 'party', 'admin'];

const id = (ctx: ApiContext) => String(ctx.params.id);
const params = z.object({ id: objectId });
const tag = 'rumours';
const AUDIT_ERRORS = ['not_found', 'conflict_state', 'forbidden_duty', 'separation_of_duties'] as const;

/**
 * `/api/rumors…`: thin adapters over handlers/rumors, every route guarded by requireStaff.
 * Fact-checks and claims are platform-wide — a rumour is not confined to one community, and one
 * fact-check answers residents everywhere — so the routes check roles and duties, not scopes.
 * The use cases parse their input again (scripts and tests call them with raw input).
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

  router.post(
    '/rumors/match',
    requireStaff(rt, { roles: ALL_ROLES }),
    endpoint(
      {
        tag,
        summary: 'What the bot would answer to a resident’s text',
        description: 'The fact-check it would answer with (null when none is sure enough, or two are too close) and the candidates it would offer.',
        body: MatchQuery,
        response: RumorMatchView,
      },
      (_ctx, { body }) => matchRumor(deps, body),
    ),
  );

  router.get(
    '/rumors/claims',
    staff(),
    endpoint(
      { tag, summary: 'Claims, most asked first, with the fact-checks the matcher suggests', query: ClaimListQuery, response: ClaimList },
      (_ctx, { query }) => listClaims(deps, query),
    ),
  );
  router.get(
    '/rumors/claims/:id',
    staff(),
    endpoint({ tag, summary: 'A claim, the wordings residents used, suggestions', params, response: ClaimDetail, errors: ['not_found'] }, (ctx) =>
      getClaim(deps, id(ctx)),
    ),
  );
  router.post(
    '/rumors/claims/:id/fact-check',
    writers(),
    endpoint(
      {
        tag,
        summary: 'Write the fact-check for a pending claim (a draft; its askers are told on release)',
        params,
        body: CreateForClaim,
        response: CreatedFactCheckView,
        status: 201,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { body }) => createFactCheck(deps, ctx.state.actor, body, id(ctx)),
    ),
  );
  router.post(
    '/rumors/claims/:id/answer',
    writers(),
    endpoint(
      {
        tag,
        summary: 'Answer a pending claim with an existing fact-check',
        params,
        body: AnswerClaim,
        response: AnsweredClaimView,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { body }) => answerClaim(deps, ctx.state.actor, id(ctx), body),
    ),
  );
  router.post(
    '/rumors/claims/:id/dismiss',
    writers(),
    endpoint(
      {
        tag,
        summary: 'Dismiss a pending claim (nobody is told)',
        params,
        body: DismissClaim,
        response: DismissedClaimView,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { body }) => dismissClaim(deps, ctx.state.actor, id(ctx), body),
    ),
  );

  router.post(
    '/rumors/fact-checks',
    writers(),
    endpoint(
      { tag, summary: 'Write a draft fact-check', body: CreateFactCheck, response: CreatedFactCheckView, status: 201, errors: ['not_found', 'conflict_state'] },
      (ctx, { body }) => createFactCheck(deps, ctx.state.actor, body),
    ),
  );
  router.get(
    '/rumors/fact-checks',
    staff(),
    endpoint({ tag, summary: 'Fact-checks, newest first', query: FactCheckListQuery, response: FactCheckList }, (_ctx, { query }) =>
      listFactChecks(deps, query),
    ),
  );
  router.get(
    '/rumors/fact-checks/:id',
    staff(),
    endpoint(
      {
        tag,
        summary: 'A fact-check: the working text, what residents are told, this round’s duties, its audit trail',
        params,
        response: FactCheckDetail,
        errors: ['not_found'],
      },
      (ctx) => getFactCheck(deps, id(ctx)),
    ),
  );
  router.patch(
    '/rumors/fact-checks/:id',
    writers(),
    endpoint(
      { tag, summary: 'The draft’s author changes it', params, body: ChangeFactCheck, response: FactCheckRefView, errors: [...AUDIT_ERRORS, 'not_author'] },
      (ctx, { body }) => updateFactCheck(deps, ctx.state.actor, id(ctx), body),
    ),
  );
  router.post(
    '/rumors/fact-checks/:id/correct',
    writers(),
    endpoint(
      {
        tag,
        summary: 'Correct a released fact-check: back to draft for another audit round',
        description: 'Residents keep getting the released text until the correction is released.',
        params,
        body: CorrectFactCheck,
        response: FactCheckRefView,
        errors: AUDIT_ERRORS,
      },
      (ctx, { body }) => correctFactCheck(deps, ctx.state.actor, id(ctx), body),
    ),
  );
  const action = <B extends z.ZodType, R extends z.ZodType>(
    name: string,
    summary: string,
    body: B,
    response: R,
    run: (d: RumorDeps, actor: ApiContext['state']['actor'], factCheckId: string, b: z.output<B>) => Promise<z.input<R>>,
  ) =>
    router.post(
      `/rumors/fact-checks/:id/${name}`,
      staff(),
      endpoint({ tag, summary, params, body, response, errors: AUDIT_ERRORS }, (ctx, input) => run(deps, ctx.state.actor, id(ctx), input.body as z.output<B>)),
    );
  action('verify', 'Verify (the verify duty): draft → verified', AuditAction, FactCheckRefView, verifyFactCheck);
  action('edit', 'Edit (the edit duty): verified → edited, optionally changing the text', ChangeFactCheck, FactCheckRefView, editFactCheck);
  action('release', 'Release (the release duty): edited → released; askers and earlier readers are told', AuditAction, ReleasedFactCheckView, releaseFactCheck);
  action('reject', 'Send back to draft (any audit duty; a comment is required)', RejectAction, FactCheckRefView, rejectFactCheck);
  action('withdraw', 'Withdraw from the fact base (the release duty; the author of a never-released draft)', AuditAction, FactCheckRefView, withdrawFactCheck);
}
