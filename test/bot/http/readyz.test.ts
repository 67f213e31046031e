import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTestApp, type ServedApp, type TestRuntime } from '../../support/runtime.js';

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

/** Poll `/readyz` until it answers `status`, failing after `timeoutMs`. */
async function readyzBecomes(status: number, timeoutMs: number): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get('/readyz');
    if (res.status === status) return res;
    if (Date.now() > deadline) throw new Error(`/readyz still ${res.status} after ${timeoutMs} ms: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('health endpoints', () => {
  it('/healthz answers 200', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('/readyz answers 200 when Redis and MongoDB answer', async () => {
    expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { redis: 'up', mongodb: 'up' } } });
  });

  it('/readyz answers 503 naming Redis while it is down, and recovers when it is back', async () => {
    await t.redis.stop();
    const down = await readyzBecomes(503, 5000);
    expect(down.body).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { redis: expect.stringMatching(/^down: /), mongodb: 'up' } });
    // The process itself is still alive.
    expect((await get('/healthz')).status).toBe(200);

    const started = Date.now();
    await t.redis.restart();
    const up = await readyzBecomes(200, 10_000); // ioredis retries at most every 2 s
    expect(up.body.checks).toEqual({ redis: 'up', mongodb: 'up' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await t.rt.redis.ping()).toBe('PONG');
  });
});
