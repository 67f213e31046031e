/**
 * Bull Board under /admin/queues: admins only (the staff guard), reachable from a browser by
 * handing the token over once as ?token=, which becomes an HttpOnly cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { QUEUE_NAMES } from '../../../bot/queues.js';
import { createTestRuntime, seedPlaces, serveApp, staffToken, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let admin: string;
let committee: string;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'bull_board' });
  http = await serveApp(createApp(t.rt, appMounts));
  admin = await staffToken(t.rt.models, { role: 'admin' });
  await seedPlaces(t.rt.models);
  committee = await staffToken(t.rt.models, { role: 'committee', community: 'c1' });
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(http.url + path, { headers, redirect: 'manual' });

describe('Bull Board', () => {
  it('refuses anonymous and non-admin callers', async () => {
    expect((await get('/admin/queues')).status).toBe(401);
    expect((await get('/admin/queues/api/queues')).status).toBe(401);
    expect((await get(`/admin/queues?token=${committee}`)).status).toBe(403);
    expect((await get('/admin/queues/api/queues', { authorization: `Bearer ${committee}` })).status).toBe(403);
    expect((await get('/admin/queues', { cookie: 'linli_admin=not-a-token' })).status).toBe(401);
  });

  it('an admin token in the URL once becomes an HttpOnly cookie, and the URL loses it', async () => {
    const res = await get(`/admin/queues?token=${admin}&page=1`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin/queues?page=1');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^linli_admin=[^;]+; path=\/admin\/queues; expires=[^;]+; samesite=strict; httponly$/i);
    const pair = cookie.split(';')[0]!;

    const page = await get('/admin/queues', { cookie: pair });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main[^"]+)"/.exec(html)?.[1];
    expect((await get(`/admin/queues/${script}`, { cookie: pair })).status).toBe(200);
    expect((await get(`/admin/queues/${script}`)).status).toBe(401);

    const api = await get('/admin/queues/api/queues', { cookie: pair });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    // Every queue the platform has, and nothing else (a new queue shows up without editing this test).
    expect(names).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(names).toContain('notice-deliver');
  });

  it('takes a bearer header too (scripts, header-injecting tools)', async () => {
    expect((await get('/admin/queues/api/queues', { authorization: `Bearer ${admin}` })).status).toBe(200);
  });

  it('leaves other paths alone', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});
