import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import { queueBroadcastPort } from '../../broadcast/queue-port.js';
import type { NoticeDeps } from '../../../handlers/notices/deps.js';
import { createNotice, updateNotice } from '../../../handlers/notices/drafts.js';
import { cancelNotice, editNotice, rejectNotice, releaseNotice, verifyNotice } from '../../../handlers/notices/audit-actions.js';
import { getNotice, listNotices, noticeScope } from '../../../handlers/notices/queries.js';
import { CreateNoticeBody, EditNoticeBody, NoticeActionBody, NoticeListQuery, PatchNoticeBody, RejectNoticeBody } from '../../../handlers/notices/validate.js';
import { previewTargets, PreviewTargetsBody } from '../../../handlers/notices/targets.js';
import { CancelledNoticeView, NoticeDetail, NoticeList, NoticeRefView, ReleasedNoticeView, TargetCount } from '../../../handlers/notices/responses.js';
import { objectId } from '../../../handlers/input.js';
import { endpoint } from '../endpoint.js';
import { liveProgress } from '../../../handlers/broadcast/progress.js';
import { redisBroadcastStore } from '../../broadcast/store.js';

/**
 * Roles that work with notices. Committee staff draft them; government and party staff usually
 * hold the audit duties; admins too. Duties (verify, edit, release) are checked per action on
 * top of the role.
 */
export const NOTICE_ROLES: readonly Role[] = ['committee', 'government', 'party', 'admin'];

const id = (ctx: ApiContext) => String(ctx.params.id);
const NoticeParams = z.object({ id: objectId });

/**
 * `/api/notices…`: thin adapters over handlers/notices; every route guarded by requireStaff.
 * Routes on one notice check the notice's scope in the guard's policy. The collection routes
 * have no resource to check before the body is read: their handlers check the scope (targets
 * outside the caller's scope → 403 forbidden_scope; lists are filtered to the scope). The notice
 * use cases parse their input again (scripts and tests call them with raw input); the schemas are
 * idempotent, so the second parse only costs microseconds.
 */
export function registerNoticeRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps: NoticeDeps = { models: rt.models, clock: rt.clock, broadcast: queueBroadcastPort(rt.queues, rt.clock), log: rt.log };
  const store = redisBroadcastStore(rt.redis);
  const onNotice = () => requireStaff(rt, { roles: NOTICE_ROLES, scope: async (ctx) => [await noticeScope(rt.models, id(ctx))] });
  const tag = 'notices';
  const params = NoticeParams;
  const errors = ['not_found', 'conflict_state', 'forbidden_duty', 'separation_of_duties', 'not_author'] as const;

  router.post(
    '/notices/preview-targets',
    requireStaff(rt, { roles: NOTICE_ROLES }),
    endpoint({ tag, summary: 'Count the residents some targets reach', body: PreviewTargetsBody, response: TargetCount }, (ctx, { body }) =>
      previewTargets(rt.models, ctx.state.actor, body),
    ),
  );
  router.post(
    '/notices',
    requireStaff(rt, { roles: NOTICE_ROLES }),
    endpoint({ tag, summary: 'Write a draft notice', body: CreateNoticeBody, response: NoticeRefView, status: 201 }, (ctx, { body }) =>
      createNotice(deps, ctx.state.actor, body),
    ),
  );
  router.get(
    '/notices',
    requireStaff(rt, { roles: NOTICE_ROLES }),
    endpoint({ tag, summary: 'Notices in scope, newest first', query: NoticeListQuery, response: NoticeList }, (ctx, { query }) =>
      listNotices(rt.models, ctx.state.actor, query),
    ),
  );
  router.get(
    '/notices/:id',
    onNotice(),
    endpoint({ tag, summary: 'A notice with its audit trail and delivery progress', params, response: NoticeDetail, errors: ['not_found'] }, (ctx) =>
      getNotice(rt.models, id(ctx), (noticeId, o) => liveProgress({ models: rt.models, store }, noticeId, o)),
    ),
  );
  router.patch(
    '/notices/:id',
    onNotice(),
    endpoint({ tag, summary: 'The author changes their draft', params, body: PatchNoticeBody, response: NoticeRefView, errors }, (ctx, { body }) =>
      updateNotice(deps, ctx.state.actor, id(ctx), body),
    ),
  );
  const actions = [
    ['verify', verifyNotice, NoticeActionBody, NoticeRefView, 'Verify (duty verify): draft → verified'],
    ['edit', editNotice, EditNoticeBody, NoticeRefView, 'Edit (duty edit): verified → edited, optionally changing title and body'],
    ['release', releaseNotice, NoticeActionBody, ReleasedNoticeView, 'Release (duty release): edited → released; queues the broadcast'],
    ['reject', rejectNotice, RejectNoticeBody, NoticeRefView, 'Reject back to draft with a comment (any audit duty); starts a new round'],
    ['cancel', cancelNotice, NoticeActionBody, CancelledNoticeView, 'Cancel: the author before release, a release-duty holder until completed'],
  ] as const;
  for (const [name, action, body, response, summary] of actions) {
    router.post(
      `/notices/:id/${name}`,
      onNotice(),
      endpoint({ tag, summary, params, body, response, errors }, (ctx, input) => action(deps, ctx.state.actor, id(ctx), input.body)),
    );
  }
}
