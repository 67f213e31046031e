import Koa from 'koa';
import type { Runtime } from './runtime.js';
import { errorMiddleware } from './http/errors.js';
import { requestLog } from './http/request-log.js';
import { healthRouter } from './http/health.js';
import { apiRouter } from './http/api/index.js';
import { notFound } from '../handlers/errors.js';

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

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
    if (!isApi(ctx.path)) return next();
    await next();
    if (ctx.status === 404 && ctx.body == null) throw notFound(`route ${ctx.method} ${ctx.path}`);
  });
  // Every other path (the webhooks' pushes above all) skips the API's route matching, which
  // cost a webhook request about as much memory as its own conversation step.
  const api = apiRouter(rt);
  const [routes, allowed] = [api.routes() as Koa.Middleware, api.allowedMethods({ throw: true }) as Koa.Middleware];
  app.use((ctx, next) => (isApi(ctx.path) ? routes(ctx, next) : next()));
  app.use((ctx, next) => (isApi(ctx.path) ? allowed(ctx, next) : next()));
  for (const mount of mounts) mount(app, rt);
  return app;
}
