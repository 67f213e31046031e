import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { staffApiDeps } from './deps.js';
import { objectId } from '../../../handlers/input.js';
import type { Role } from '../../../models/staff-user.js';
import {
  AnswerBody,
  answerEscalation,
  EscalationList,
  EscalationQuery,
  escalationScope,
  EscalationView,
  listEscalations,
} from '../../../handlers/escalations/escalations.js';

/**
 * The committee answers residents who asked for a person; the street office (government) reads
 * them. A platform admin is included because a resident who has not registered belongs to no
 * community: only a platform-wide account can reach them.
 */
export const ESCALATION_READ_ROLES: readonly Role[] = ['committee', 'government', 'admin'];
export const ESCALATION_ANSWER_ROLES: readonly Role[] = ['committee', 'admin'];

export function registerEscalationRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = staffApiDeps(rt).escalations;
  const tag = 'escalations';
  router.get(
    '/escalations',
    requireStaff(rt, { roles: ESCALATION_READ_ROLES }),
    endpoint(
      {
        tag,
        summary: 'Residents who asked for a person, newest first',
        query: EscalationQuery,
        response: EscalationList,
        errors: ['forbidden_scope', 'not_found'],
      },
      (ctx, { query }) => listEscalations(deps, ctx.state.actor, query),
    ),
  );
  router.post(
    '/escalations/:id/answer',
    requireStaff(rt, { roles: ESCALATION_ANSWER_ROLES, scope: async (ctx) => [await escalationScope(deps, String(ctx.params.id))] }),
    endpoint(
      {
        tag,
        summary: 'Answer the resident (one message); the escalation is marked answered once',
        description:
          'The text goes out as a customer-service message inside the 48-hour window, otherwise as the template message. 409 undeliverable when neither is possible (no template configured, resident unfollowed); 409 conflict_state when already answered or being answered.',
        params: z.object({ id: objectId }),
        body: AnswerBody,
        response: EscalationView,
        errors: ['not_found', 'conflict_state', 'undeliverable', 'unavailable'],
      },
      (ctx, { params, body }) => answerEscalation(deps, ctx.state.actor, params.id, body),
    ),
  );
}
