/**
 * Every `/api` route is enumerated from the router itself and checked against the policy its
 * `requireStaff` guard carries, so a new route is covered (or fails here) without editing this
 * file — unless its scope comes from a path parameter, query or body: then add how to reach a
 * resource in community c1 to PARAMS/REQUESTS below (the scope tests say so when missing).
 */
import type Router from '@koa/router';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { apiRouter } from '../../../bot/http/api/index.js';
import type { RoutePolicy } from '../../../bot/http/staff-auth.js';
import { ROLES, type Role } from '../../../models/staff-user.js';
import { volunteerIdFor } from '../../../models/volunteer.js';
import { revokeStaff } from '../../../handlers/staff/accounts.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, staffToken, type TestRuntime } from '../../support/runtime.js';

interface Route {
  method: string;
  path: string;
  policy?: RoutePolicy;
  /** Where the guard sits in the layer's middleware (it must come before the handler). */
  guardIndex: number;
  layerSize: number;
}

/** Every route (method × path) of the API router, with the policy of its guard. */
function enumerateRoutes(router: Router<any>): Route[] {
  const routes: Route[] = [];
  for (const layer of router.stack) {
    if (layer.methods.length === 0) continue; // router.use() middleware (the body parser)
    const guardIndex = layer.stack.findIndex((mw) => typeof (mw as { policy?: unknown }).policy === 'object');
    const policy = guardIndex >= 0 ? (layer.stack[guardIndex] as unknown as { policy: RoutePolicy }).policy : undefined;
    for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
      routes.push({ method, path: String(layer.path), policy, guardIndex, layerSize: layer.stack.length });
    }
  }
  return routes;
}

let t: TestRuntime;
let base: string;
let stopHttp: () => Promise<void>;
/**
 * How to address a resource inside community c1 (street s1): every request below goes there, so
 * a token scoped elsewhere must get forbidden_scope. Path parameters are looked up as
 * `<segment before>:<name>` (`notices:id`), then `<name>`; `createFixtures` fills in ids. Routes
 * whose scope comes from the query or body get their request in REQUESTS. When you add such a
 * route, add to these: its scope tests fail until you do.
 */
const PARAMS: Record<string, string> = {
  code: 'c1',
  // Fact-checks and claims are platform-wide (no scope): any id gets past the guard, then 404.
  'fact-checks:id': '0123456789abcdef01234567',
  'claims:id': '0123456789abcdef01234567',
};
const NOTICE = { title: 'Water cut', body: 'No water on Tuesday 9:00–12:00.', targets: { communities: ['c1'] } };
const REQUESTS: Record<string, { query?: Record<string, string>; body?: unknown }> = {
  'GET /api/notices': { query: { community: 'c1' } },
  'POST /api/notices': { body: NOTICE },
  'POST /api/notices/preview-targets': { body: { targets: { communities: ['c1'] } } },
  'PATCH /api/notices/:id': { body: { title: 'Water cut (changed)' } },
  'POST /api/gates': { body: { community: 'c1', name: 'Auth gate' } },
  'GET /api/gates': { query: { community: 'c1' } },
  'GET /api/gate-records': { query: { community: 'c1' } },
  'GET /api/gate-records/out-now': { query: { community: 'c1' } },
  'GET /api/returnees': { query: { community: 'c1' } },
  'PATCH /api/communities/:code/rules': { body: { gates: { closed: false } } },
  'POST /api/communities/:code/risk-areas': { body: { area: '武汉' } },
  'POST /api/allocations': {
    body: { community: 'c1', item: 'masks', stock: 10, slots: [{ start: '2099-01-01T09:00:00+08:00', end: '2099-01-01T10:00:00+08:00', capacity: 5 }] },
  },
  'GET /api/allocations': { query: { community: 'c1' } },
  'POST /api/allocations/:id/redeem': { body: { code: 'ACDEFG' } },
  'PATCH /api/volunteer-tasks/:id': { body: { title: 'Deliver medicine (changed)' } },
};

async function createFixtures(): Promise<void> {
  // Staff routes act on an account: a bystander, so revoking it harms no other test.
  PARAMS['staff:id'] = (await staffAccount(t.rt.models, { role: 'committee', community: 'c2', name: 'bystander' })).id;
  const author = await tokenFor('committee', { community: 'c1' });
  const res = await call({ method: 'POST', path: '/api/notices', guardIndex: 0, layerSize: 0 }, author, { body: JSON.stringify(NOTICE) });
  if (res.status !== 201) throw new Error(`creating the fixture notice failed: ${res.status} ${JSON.stringify(res.body)}`);
  PARAMS['notices:id'] = res.body.id;
  // A gate and an allocation round in c1 (written directly: no WeChat QR call), and a risk area to remove.
  const gate = await t.rt.models.Gate.create({
    _id: new Types.ObjectId(),
    communityCode: 'c1',
    streetCode: 's1',
    name: 'North',
    scene: 'g:x',
    qr: { ticket: 't', url: 'http://weixin.qq.com/q/x', imageUrl: 'x', createdAt: new Date() },
    createdAt: new Date(),
    createdBy: 'test',
  });
  PARAMS['gates:id'] = String(gate._id);
  const round = await t.rt.models.AllocationRound.create({
    _id: new Types.ObjectId(),
    communityCode: 'c1',
    streetCode: 's1',
    item: 'masks',
    stock: 10,
    perHousehold: 1,
    slots: [],
    status: 'draft',
    createdAt: new Date(),
  });
  PARAMS['allocations:id'] = String(round._id);
  PARAMS['risk-areas:area'] = '武汉';
  // A volunteer of c1 (building b1) and a task of c1, for the volunteer routes.
  const residentId = new Types.ObjectId();
  const at = new Date();
  await t.rt.models.Volunteer.create({
    _id: volunteerIdFor(residentId),
    residentId,
    name: 'Fixture',
    mobile: '+8613800000000',
    area: 'community',
    streetCode: 's1',
    communityCode: 'c1',
    buildingCode: 'b1',
    status: 'pending',
    round: 1,
    appliedAt: at,
    consentAt: at,
    sourceKey: 'fixture',
  });
  PARAMS['volunteers:id'] = String(volunteerIdFor(residentId));
  const lead = await tokenFor('volunteer_lead', { community: 'c1' });
  const startsAt = new Date(Date.now() + 86_400_000);
  const task = { title: 'Deliver medicine', place: 'Centre', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000), slots: 2, community: 'c1' };
  const made = await call({ method: 'POST', path: '/api/volunteer-tasks', guardIndex: 0, layerSize: 0 }, lead, { body: JSON.stringify(task) });
  if (made.status !== 201) throw new Error(`creating the fixture task failed: ${made.status} ${JSON.stringify(made.body)}`);
  PARAMS['volunteer-tasks:id'] = made.body.id;
  // Health, escalation and supply records in c1/b1 (the escalation's resident does not exist, so answering sends nothing).
  const m = t.rt.models;
  const now = new Date();
  const fixtureResident = new Types.ObjectId();
  const alert = await m.Alert.create({
    _id: new Types.ObjectId(),
    level: 'red',
    residentId: fixtureResident,
    reportId: new Types.ObjectId(),
    communityCode: 'c1',
    buildingCode: 'b1',
    date: '2026-11-28',
    createdAt: now,
  });
  PARAMS['alerts:id'] = String(alert._id);
  const escalation = await m.Escalation.create({
    residentId: fixtureResident,
    channel: 'wechat',
    openid: 'o-fixture',
    communityCode: 'c1',
    buildingCode: 'b1',
    reason: 'asked',
    createdAt: now,
  });
  PARAMS['escalations:id'] = String(escalation._id);
  const request = await m.SupplyRequest.create({
    ticket: 'S-20261128-0001',
    communityCode: 'c1',
    buildingCode: 'b1',
    residentId: fixtureResident,
    category: 'food',
    items: 'rice',
    urgency: 'today',
    address: 'b1 101',
    seq: 1,
    createdAt: now,
    updatedAt: now,
    sourceKey: 'fixture',
  });
  PARAMS['supply-requests:id'] = String(request._id);
}

// The runtime is built at collection time so the routes to test are read from a real router.
// WeChat is a port nobody answers here (creating a gate's QR code fails fast and is recorded).
t = await createTestRuntime({ dbPrefix: 'auth', env: { WECHAT_API_BASE: 'http://127.0.0.1:9' } });
const ROUTES = enumerateRoutes(apiRouter(t.rt));
const label = (r: Route) => `${r.method} ${r.path}`;

function urlOf(r: Route): string {
  const p = r.path.replace(/([^/]*)\/:(\w+)/g, (_, segment: string, name: string) => {
    const v = PARAMS[`${segment}:${name}`] ?? PARAMS[name];
    if (v === undefined) throw new Error(`${label(r)}: add a value for path parameter ":${name}" to PARAMS in test/bot/http/auth.test.ts`);
    return `${segment}/${encodeURIComponent(v)}`;
  });
  const query = REQUESTS[label(r)]?.query;
  return base + p + (query ? `?${new URLSearchParams(query)}` : '');
}

async function call(r: Route, token?: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (r.method !== 'GET' && r.method !== 'DELETE') {
    headers['content-type'] = 'application/json';
    init = { ...init, body: init.body ?? JSON.stringify(REQUESTS[label(r)]?.body ?? {}) };
  }
  const res = await fetch(urlOf(r), { ...init, method: r.method, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/** The guard let the request through: whatever the handler then answered, it was not the guard's 401/403. */
function passedGuard(res: { status: number; body: any }): void {
  expect(res.status, JSON.stringify(res.body)).not.toBe(401);
  expect(['forbidden_role', 'forbidden_scope'], JSON.stringify(res.body)).not.toContain(res.body?.error);
}

const tokens = new Map<string, Promise<string>>();
/** One account per (role, scope), created on first use. */
function tokenFor(role: Role, scope: { street?: string; community?: string } = {}): Promise<string> {
  const key = `${role}|${scope.street ?? ''}|${scope.community ?? ''}`;
  if (!tokens.has(key)) tokens.set(key, staffToken(t.rt.models, { role, ...scope }));
  return tokens.get(key)!;
}

/** The scope an account of `role` gets in these tests: admins platform-wide, others community c1. */
const homeScope = (role: Role) => (role === 'admin' ? {} : { community: 'c1' });

let revokedToken: string;

beforeAll(async () => {
  await seedPlaces(t.rt.models);
  const http = await serveApp(createApp(t.rt));
  base = http.url;
  stopHttp = http.close;
  await createFixtures();
  const revoked = await staffAccount(t.rt.models, { role: 'admin', name: 'revoked admin' });
  await revokeStaff(t.rt.models, revoked.id, new Date());
  revokedToken = revoked.token;
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
});

describe('route enumeration', () => {
  it('finds the API routes', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(6);
    expect(ROUTES.map(label)).toEqual(
      expect.arrayContaining([
        'GET /api/me',
        'GET /api/staff',
        'POST /api/staff',
        'POST /api/staff/:id/revoke',
        'GET /api/communities',
        'GET /api/communities/:code',
      ]),
    );
  });

  it.each(ROUTES.map((r) => [label(r), r] as const))('%s is guarded by requireStaff before its handler', (_, r) => {
    expect(r.policy, `${label(r)} has no requireStaff middleware`).toBeDefined();
    expect(r.guardIndex).toBeLessThan(r.layerSize - 1);
    expect(r.policy!.roles.length).toBeGreaterThan(0);
    for (const role of r.policy!.roles) expect(ROLES).toContain(role);
  });
});

describe.each(ROUTES.filter((r) => r.policy).map((r) => [label(r), r] as const))('%s', (_, r) => {
  const policy = r.policy!;

  it('answers 401 without a token, with a malformed header, an unknown token or a revoked one', async () => {
    const none = await call(r);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    for (const authorization of ['Basic Zm9vOmJhcg==', 'Bearer', 'Bearer a b']) {
      expect((await call(r, undefined, { headers: { authorization } })).status, authorization).toBe(401);
    }
    const garbage = await call(r, 'llt_not-a-real-token');
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('unauthorized');
    const revoked = await call(r, revokedToken);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual({ error: 'unauthorized', message: expect.stringContaining('revoked') });
  });

  const outsiders = ROLES.filter((role) => !policy.roles.includes(role));
  if (outsiders.length > 0)
    it.each(outsiders)('answers 403 forbidden_role to %s', async (role) => {
      const res = await call(r, await tokenFor(role, homeScope(role)));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'forbidden_role', message: expect.any(String) });
    });

  it('lets an allowed role in scope through', async () => {
    const role = policy.roles.find((x) => x !== 'admin') ?? 'admin';
    passedGuard(await call(r, await tokenFor(role, homeScope(role))));
  });

  if (policy.scope) {
    // Route parameters point into community c1 of street s1.
    const role = policy.roles.find((x) => x !== 'admin') ?? 'admin';
    it.each([
      ['another community of the same street', { community: 'c2' }],
      ['a community of another street', { community: 'c3' }],
      ['another street', { street: 's2' }],
    ])(`answers 403 forbidden_scope to ${role} scoped to %s`, async (_, scope) => {
      const res = await call(r, await tokenFor(role, scope));
      const hint = `${JSON.stringify(res.body)} — does PARAMS/REQUESTS in this file address a resource in c1 for ${label(r)}?`;
      expect(res.status, hint).toBe(403);
      expect(res.body, hint).toEqual({ error: 'forbidden_scope', message: expect.any(String) });
    });

    it(`lets ${role} scoped to the resource's street through`, async () => {
      passedGuard(await call(r, await tokenFor(role, { street: 's1' })));
    });
  }
});

describe('API errors', () => {
  const post = (path: string, token: string, body: string) =>
    fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  it('answers invalid JSON with 400 {error, message}', async () => {
    const res = await post('/api/staff', await tokenFor('admin'), '{"name": "x",');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: 'invalid_input', message: expect.stringContaining('not valid JSON') });
  });

  it('answers a validation error with its code, the field and the reason', async () => {
    const res = await post('/api/staff', await tokenFor('admin'), JSON.stringify({ name: 'x', role: 'mayor' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_input',
      message: expect.stringContaining('role must be one of'),
      details: { field: 'role', reason: expect.stringContaining('must be one of') },
    });
  });

  it('answers an unknown resource with 404 not_found', async () => {
    const res = await fetch(`${base}/api/communities/nowhere`, { headers: { authorization: `Bearer ${await tokenFor('admin')}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'community "nowhere" not found' });
  });

  it('creates an account whose token then works, and shows the scope it got', async () => {
    const res = await post('/api/staff', await tokenFor('admin'), JSON.stringify({ name: 'Wang', role: 'committee', community: 'c1', duties: ['verify'] }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as { token: string; role: string };
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'Wang', role: 'committee', duties: ['verify'], scope: { streetCode: 's1', communityCode: 'c1' } });
  });

  it('revokes an account once: revoking again keeps the first time, and its token stops working', async () => {
    const admin = await tokenFor('admin');
    const victim = await staffAccount(t.rt.models, { role: 'property', community: 'c2' });
    const first = await post(`/api/staff/${victim.id}/revoke`, admin, '{}');
    expect(first.status).toBe(200);
    const { revokedAt } = (await first.json()) as { revokedAt: string };
    expect(revokedAt).toEqual(expect.any(String));
    const again = await post(`/api/staff/${victim.id}/revoke`, admin, '{}');
    expect(await again.json()).toMatchObject({ revokedAt });
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${victim.token}` } });
    expect(me.status).toBe(401);
    expect((await post('/api/staff/0123456789abcdef01234567/revoke', admin, '{}')).status).toBe(404);
  });
});
