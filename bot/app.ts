import Koa from 'koa';
import type { Runtime } from './runtime.js';
import { errorMiddleware } from './http/errors.js';
import { requestLog } from './http/request-log.js';
import { healthRouter } from './http/health.js';
import { apiRouter } from './http/api/index.js';
import { notFound } from '../handlers/errors.js';

/** Extra routers mounted by features that are wired outside the core (webhooks, admin UI). */
export type Mount = (app: Koa, rt: Runtime) => void;

/**
 * The HTTP app, without `listen()`, so tests drive it in-process. Middleware order is the data
 * order: errors outermost, then health, the staff API, and the channel webhooks.
 */
export function createApp(rt: Runtime, mounts: Mount[] = []): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errorMiddleware logs; Koa's default stderr dump would duplicate it
  app.use(requestLog(rt.log));
  app.use(errorMiddleware(rt.log));
  const health = healthRouter(rt);
  app.use(health.routes()).use(health.allowedMethods());
  // Unknown /api paths answer in the API's JSON error shape, not Koa's plain-text 404
  // (a known path with the wrong method is a 405 from allowedMethods).
  app.use(async (ctx, next) => {
    await next();
    if ((ctx.path === '/api' || ctx.path.startsWith('/api/')) && ctx.status === 404 && ctx.body == null) throw notFound(`route ${ctx.method} ${ctx.path}`);
  });
  const api = apiRouter(rt);
  app.use(api.routes() as Koa.Middleware).use(api.allowedMethods({ throw: true }) as Koa.Middleware);
  for (const mount of mounts) mount(app, rt);
  return app;
}
