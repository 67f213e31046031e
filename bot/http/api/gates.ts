import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, ALL_ROLES, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import type { Role } from '../../../models/staff-user.js';
import { createGate, gatePoster, gateScope, listGates, type GateDeps, type QrCodes } from '../../../handlers/gates/staff-gates.js';
import { listGateRecords, outNow } from '../../../handlers/gates/staff-records.js';
import {
  CreateGateBody,
  GateList,
  GateParams,
  GatePoster,
  GateRecordsView,
  GateView,
  OutNowView,
  PlaceQuery,
  RecordsQuery,
} from '../../../handlers/gates/schemas.js';
import { communityScope } from '../../../handlers/places/communities.js';
import { addRiskArea, getRules, removeRiskArea, updateRules } from '../../../handlers/rules/staff-rules.js';
import { RiskAreaBody, RiskAreaParams, RulesParams, RulesPatchBody, RulesView } from '../../../handlers/rules/schemas.js';
import { listReturnees } from '../../../handlers/returnees/staff-returnees.js';
import { ReturneesQuery, ReturneesView } from '../../../handlers/returnees/schemas.js';
import { HEALTH_DATA_ROLES } from '../../../handlers/staff/data-roles.js';
import { gatesOf, placesOf } from '../../conversation.js';
import { placeScope } from './place-scope.js';

/** Who sees gates and their log: the committee, the street office, the property company (their gates). */
export const GATE_ROLES: readonly Role[] = ['admin', 'government', 'committee', 'property'];
/** Who defines gates. */
export const GATE_ADMIN_ROLES: readonly Role[] = ['admin', 'committee', 'property'];
/** Who changes a community's closed-management rules, observation and risk areas. */
export const RULE_ROLES: readonly Role[] = ['admin', 'government', 'committee'];

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
  const tag = 'gates';
  const onCommunity = (roles: readonly Role[]) => requireStaff(rt, { roles, scope: async (ctx) => [await communityScope(rt.models, String(ctx.params.code))] });
  const inPlace = (roles: readonly Role[], from: 'query' | 'body') => requireStaff(rt, { roles, scope: placeScope(rt, from) });

  router.post(
    '/gates',
    inPlace(GATE_ADMIN_ROLES, 'body'),
    endpoint(
      {
        tag,
        summary: 'Define a gate: a permanent QR scene g:<id> and WeChat’s QR code for it',
        body: CreateGateBody,
        response: GateView,
        status: 201,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { body }) => createGate(deps, ctx.state.actor, body),
    ),
  );
  router.get(
    '/gates',
    inPlace(GATE_ROLES, 'query'),
    endpoint({ tag, summary: 'A community’s gates in the caller’s scope', query: PlaceQuery, response: GateList, errors: ['not_found'] }, (ctx, { query }) =>
      listGates(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/gates/:id/qr.png',
    requireStaff(rt, { roles: GATE_ROLES, scope: async (ctx) => [await gateScope(rt.models, String(ctx.params.id))] }),
    endpoint(
      {
        tag,
        summary: 'The gate poster’s QR code (PNG)',
        params: GateParams,
        response: GatePoster,
        contentType: 'image/png',
        errors: ['not_found', 'unavailable'],
      },
      async (ctx, { params }) => {
        const poster = await gatePoster(deps, params.id);
        ctx.set('x-qr-source', poster.source);
        return poster.png as unknown as string;
      },
    ),
  );
  router.get(
    '/gate-records',
    inPlace(GATE_ROLES, 'query'),
    endpoint(
      {
        tag,
        summary: 'A day’s gate log: by gate and hour, outings per household, the passes',
        query: RecordsQuery,
        response: GateRecordsView,
        errors: ['not_found'],
      },
      (ctx, { query }) => listGateRecords(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/gate-records/out-now',
    inPlace(GATE_ROLES, 'query'),
    endpoint(
      { tag, summary: 'Residents out right now (last pass out) and visitors inside today', query: PlaceQuery, response: OutNowView, errors: ['not_found'] },
      (ctx, { query }) => outNow(deps, ctx.state.actor, query),
    ),
  );

  router.get(
    '/communities/:code/rules',
    onCommunity(ALL_ROLES),
    endpoint(
      {
        tag,
        summary: 'A community’s closed-management, observation and risk-area rules with their audit trail',
        params: RulesParams,
        response: RulesView,
        errors: ['not_found'],
      },
      (_ctx, { params }) => getRules(deps, params.code),
    ),
  );
  router.patch(
    '/communities/:code/rules',
    onCommunity(RULE_ROLES),
    endpoint(
      {
        tag,
        summary: 'Change the gate and observation rules (an audit entry)',
        params: RulesParams,
        body: RulesPatchBody,
        response: RulesView,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { params, body }) => updateRules(deps, ctx.state.actor, params.code, body),
    ),
  );
  router.post(
    '/communities/:code/risk-areas',
    onCommunity(RULE_ROLES),
    endpoint(
      {
        tag,
        summary: 'Add a risk area (an audit entry)',
        params: RulesParams,
        body: RiskAreaBody,
        response: RulesView,
        status: 201,
        errors: ['not_found', 'conflict_state'],
      },
      (ctx, { params, body }) => addRiskArea(deps, ctx.state.actor, params.code, body),
    ),
  );
  router.delete(
    '/communities/:code/risk-areas/:area',
    onCommunity(RULE_ROLES),
    endpoint(
      { tag, summary: 'Remove a risk area (an audit entry)', params: RiskAreaParams, response: RulesView, errors: ['not_found', 'conflict_state'] },
      (ctx, { params }) => removeRiskArea(deps, ctx.state.actor, params.code, params.area),
    ),
  );

  router.get(
    '/returnees',
    inPlace(HEALTH_DATA_ROLES, 'query'),
    endpoint(
      {
        tag,
        summary: 'Returnees under home observation (day N of M, today’s report), or every return',
        query: ReturneesQuery,
        response: ReturneesView,
        errors: ['not_found'],
      },
      (ctx, { query }) => listReturnees(deps, ctx.state.actor, query),
    ),
  );
}
