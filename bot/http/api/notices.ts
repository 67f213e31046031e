import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import { queueBroadcastPort } from '../../broadcast/queue-port.js';
import type { NoticeDeps } from '../../../handlers/notices/deps.js';
import { createNotice, updateNotice } from '../../../handlers/notices/drafts.js';
import { cancelNotice, editNotice, rejectNotice, releaseNotice, verifyNotice } from '../../../handlers/notices/audit-actions.js';
import { getNotice, listNotices, noticeScope } from '../../../handlers/notices/queries.js';
import { previewTargets } from '../../../handlers/notices/targets.js';
import { parseListQuery } from '../../../handlers/notices/validate.js';
import { liveProgress } from '../../../handlers/broadcast/progress.js';
import { redisBroadcastStore } from '../../broadcast/store.js';

/**
 * Roles that work with notices. Committee staff draft them; government and party staff usually
 * hold the audit duties; admins too. Duties (verify, edit, release) are checked per action on
 * top of the role.
 */
export const NOTICE_ROLES: readonly Role[] = ['committee', 'government', 'party', 'admin'];

const body = (ctx: ApiContext) => ctx.request.body as unknown;
const id = (ctx: ApiContext) => String(ctx.params.id);

/**
 * `/api/notices…`: thin adapters over handlers/notices; every route guarded by requireStaff.
 * Routes on one notice check the notice's scope in the guard's policy. The collection routes
 * have no resource to check before the body is read: their handlers check the scope (targets
 * outside the caller's scope → 403 forbidden_scope; lists are filtered to the scope).
 */
export function registerNoticeRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps: NoticeDeps = { models: rt.models, clock: rt.clock, broadcast: queueBroadcastPort(rt.queues, rt.clock), log: rt.log };
  const store = redisBroadcastStore(rt.redis);
  const onNotice = () => requireStaff(rt, { roles: NOTICE_ROLES, scope: async (ctx) => [await noticeScope(rt.models, id(ctx))] });

  router.post('/notices/preview-targets', requireStaff(rt, { roles: NOTICE_ROLES }), async (ctx) => {
    ctx.body = await previewTargets(rt.models, ctx.state.actor, body(ctx));
  });
  router.post('/notices', requireStaff(rt, { roles: NOTICE_ROLES }), async (ctx) => {
    const created = await createNotice(deps, ctx.state.actor, body(ctx));
    ctx.status = 201;
    ctx.body = created;
  });
  router.get('/notices', requireStaff(rt, { roles: NOTICE_ROLES }), async (ctx) => {
    ctx.body = await listNotices(rt.models, ctx.state.actor, parseListQuery(ctx.query));
  });
  router.get('/notices/:id', onNotice(), async (ctx) => {
    ctx.body = await getNotice(rt.models, id(ctx), (noticeId, o) => liveProgress({ models: rt.models, store }, noticeId, o));
  });
  router.patch('/notices/:id', onNotice(), async (ctx) => {
    ctx.body = await updateNotice(deps, ctx.state.actor, id(ctx), body(ctx));
  });
  const actions = { verify: verifyNotice, edit: editNotice, release: releaseNotice, reject: rejectNotice, cancel: cancelNotice } as const;
  for (const [name, action] of Object.entries(actions)) {
    router.post(`/notices/:id/${name}`, onNotice(), async (ctx) => {
      ctx.body = await action(deps, ctx.state.actor, id(ctx), body(ctx));
    });
  }
}
