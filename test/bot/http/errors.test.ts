import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTestApp, type ServedApp } from '../../support/runtime.js';

let app: ServedApp;
let base: string;
let token: string;

beforeAll(async () => {
  app = await serveTestApp({ dbPrefix: 'errors' });
  ({ base, token } = app);
});
afterAll(() => app?.close());

describe('API error shape', () => {
  it('an unknown /api route is a JSON 404', async () => {
    const res = await fetch(`${base}/api/nope`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('/api/nope') });
  });

  it('a wrong method on a known route is a JSON 405', async () => {
    const res = await fetch(`${base}/api/me`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ error: 'method_not_allowed' });
  });

  it('paths outside /api keep plain-text answers', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type') ?? '').not.toContain('json');
  });
});
