import Router from '@koa/router';
import type { Runtime } from '../runtime.js';

const CHECK_TIMEOUT_MS = 1000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}

/** Ask each backing service for a PING; a service that does not answer within 1 s is down. */
export async function checkDependencies(rt: Runtime): Promise<Record<'redis' | 'mongodb', string>> {
  const redis = async () => {
    // ioredis queues commands while reconnecting; a client that is not ready is down right now.
    if (rt.redis.status !== 'ready') throw new Error(`connection ${rt.redis.status}`);
    await withTimeout(rt.redis.ping(), CHECK_TIMEOUT_MS);
  };
  const mongodb = async () => {
    if (!rt.db.db) throw new Error('not connected');
    await withTimeout(rt.db.db.admin().ping(), CHECK_TIMEOUT_MS);
  };
  const [r, m] = await Promise.allSettled([redis(), mongodb()]);
  const describe = (s: PromiseSettledResult<void>) => (s.status === 'fulfilled' ? 'up' : `down: ${(s.reason as Error).message}`);
  return { redis: describe(r), mongodb: describe(m) };
}

/** `/healthz`: the process is alive. `/readyz`: Redis and MongoDB answer (else 503 naming which). */
export function healthRouter(rt: Runtime): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await checkDependencies(rt);
    const down = Object.entries(checks)
      .filter(([, v]) => v !== 'up')
      .map(([k]) => k);
    ctx.status = down.length ? 503 : 200;
    ctx.body = down.length ? { status: 'unavailable', down, checks } : { status: 'ready', checks };
  });
  return router;
}
