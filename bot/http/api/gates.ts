import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import { createGate, gatePoster, gateScope, listGates, type GateDeps, type QrCodes } from '../../../handlers/gates/staff-gates.js';
import { listGateRecords, outNow } from '../../../handlers/gates/staff-records.js';
import { communityScope } from '../../../handlers/places/communities.js';
import { addRiskArea, getRules, removeRiskArea, updateRules } from '../../../handlers/rules/staff-rules.js';
import { listReturnees } from '../../../handlers/returnees/staff-returnees.js';
import { gatesOf, placesOf } from '../../conversation.js';
import { placeScope } from './place-scope.js';

/** Who sees gates and their log: the committee, the street office, the property company (their gates). */
export const GATE_ROLES: readonly Role[] = ['admin', 'government', 'committee', 'property'];
/** Who defines gates. */
export const GATE_ADMIN_ROLES: readonly Role[] = ['admin', 'committee', 'property'];
/** Who changes a community's closed-management rules, observation and risk areas. */
export const RULE_ROLES: readonly Role[] = ['admin', 'government', 'committee'];
/** Who reads returnees under observation (health data). */
export const RETURNEE_ROLES: readonly Role[] = ['admin', 'government', 'committee', 'social_org'];

/** WeChat's QR codes: its own image is fetched only from the real WeChat (the demo and the mock draw it here). */
function qrCodes(rt: Runtime): QrCodes {
  const real = /^https:\/\/api\.weixin\.qq\.com\/?$/.test(rt.config.WECHAT_API_BASE);
  return {
    create: async (scene) => {
      const qr = await rt.wechat.createQrCode({ scene, permanent: true });
      return { ticket: qr.ticket, url: qr.url, imageUrl: qr.imageUrl };
    },
    image: async (ticket) => {
      if (!real) return undefined;
      const res = await fetch(`https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`, { signal: AbortSignal.timeout(5000) });
      return res.ok && res.headers.get('content-type')?.startsWith('image/') ? Buffer.from(await res.arrayBuffer()) : undefined;
    },
  };
}

/** Gates, their posters and log; a community's rules and risk areas; returnees. Thin over handlers. */
export function registerGateRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps: GateDeps = { models: rt.models, places: placesOf(rt), clock: rt.clock, qr: qrCodes(rt), gates: gatesOf(rt) };
  const onCommunity = (roles: readonly Role[]) => requireStaff(rt, { roles, scope: async (ctx) => [await communityScope(rt.models, String(ctx.params.code))] });

  router.post('/gates', requireStaff(rt, { roles: GATE_ADMIN_ROLES, scope: placeScope(rt, 'body') }), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createGate(deps, ctx.state.actor, ctx.request.body);
  });
  router.get('/gates', requireStaff(rt, { roles: GATE_ROLES, scope: placeScope(rt, 'query') }), async (ctx) => {
    ctx.body = await listGates(deps, ctx.state.actor, ctx.query);
  });
  router.get(
    '/gates/:id/qr.png',
    requireStaff(rt, { roles: GATE_ROLES, scope: async (ctx) => [await gateScope(rt.models, String(ctx.params.id))] }),
    async (ctx) => {
      const poster = await gatePoster(deps, String(ctx.params.id));
      ctx.type = 'image/png';
      ctx.set('x-qr-source', poster.source);
      ctx.body = poster.png;
    },
  );
  router.get('/gate-records', requireStaff(rt, { roles: GATE_ROLES, scope: placeScope(rt, 'query') }), async (ctx) => {
    ctx.body = await listGateRecords(deps, ctx.state.actor, ctx.query);
  });
  router.get('/gate-records/out-now', requireStaff(rt, { roles: GATE_ROLES, scope: placeScope(rt, 'query') }), async (ctx) => {
    ctx.body = await outNow(deps, ctx.state.actor, ctx.query);
  });

  router.get('/communities/:code/rules', onCommunity(ALL_ROLES), async (ctx) => {
    ctx.body = await getRules(deps, String(ctx.params.code));
  });
  router.patch('/communities/:code/rules', onCommunity(RULE_ROLES), async (ctx) => {
    ctx.body = await updateRules(deps, ctx.state.actor, String(ctx.params.code), ctx.request.body);
  });
  router.post('/communities/:code/risk-areas', onCommunity(RULE_ROLES), async (ctx) => {
    ctx.status = 201;
    ctx.body = await addRiskArea(deps, ctx.state.actor, String(ctx.params.code), ctx.request.body);
  });
  router.delete('/communities/:code/risk-areas/:area', onCommunity(RULE_ROLES), async (ctx) => {
    ctx.body = await removeRiskArea(deps, ctx.state.actor, String(ctx.params.code), String(ctx.params.area));
  });

  router.get('/returnees', requireStaff(rt, { roles: RETURNEE_ROLES, scope: placeScope(rt, 'query') }), async (ctx) => {
    ctx.body = await listReturnees(deps, ctx.query);
  });
}
