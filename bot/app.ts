import Koa from 'koa';
import type { Runtime } from './runtime.js';
import { errorMiddleware } from './http/errors.js';
import { healthRouter } from './http/health.js';
import { apiRouter } from './http/api/index.js';

/** Extra routers mounted by features that are wired outside the core (webhooks, admin UI). */
export type Mount = (app: Koa, rt: Runtime) => void;

/**
 * The HTTP app, without `listen()`, so tests drive it in-process. Middleware order is the data
 * order: errors outermost, then health, the staff API, and the channel webhooks.
 */
export function createApp(rt: Runtime, mounts: Mount[] = []): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errorMiddleware logs; Koa's default stderr dump would duplicate it
  app.use(errorMiddleware(rt.log));
  const health = healthRouter(rt);
  app.use(health.routes()).use(health.allowedMethods());
  const api = apiRouter(rt);
  app.use(api.routes() as Koa.Middleware).use(api.allowedMethods() as Koa.Middleware);
  for (const mount of mounts) mount(app, rt);
  return app;
}
