import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTestApp, type ServedApp, type TestRuntime } from '../../support/runtime.js';
import { waitFor } from '../../support/wait-for.js';

let app: ServedApp;
let t: TestRuntime;
let base: string;

beforeAll(async () => {
  app = await serveTestApp({ dbPrefix: 'readyz' });
  ({ t, base } = app);
});

afterAll(() => app?.close());

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
}

/** Poll `/readyz` until it answers `status` (a deadline, not a measurement). */
function readyzBecomes(status: number): Promise<{ status: number; body: any }> {
  return waitFor(`/readyz to answer ${status}`, async () => {
    const res = await get('/readyz');
    return res.status === status && res;
  });
}

describe('health endpoints', () => {
  it('/healthz answers 200', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('/readyz answers 200 when Redis and MongoDB answer', async () => {
    // Each check must answer within a second; on a loaded machine one may miss that once.
    expect(await readyzBecomes(200)).toEqual({ status: 200, body: { status: 'ready', checks: { redis: 'up', mongodb: 'up' } } });
  });

  it('/readyz answers 503 naming Redis while it is down, and recovers when it is back', async () => {
    await t.redis.stop();
    const down = await readyzBecomes(503);
    expect(down.body).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { redis: expect.stringMatching(/^down: /), mongodb: 'up' } });
    // The process itself is still alive.
    expect((await get('/healthz')).status).toBe(200);

    await t.redis.restart();
    const up = await readyzBecomes(200); // ioredis reconnects at most 2 s apart
    expect(up.body.checks).toEqual({ redis: 'up', mongodb: 'up' });
    expect(await t.rt.redis.ping()).toBe('PONG');
  });
});
