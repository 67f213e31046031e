import type Koa from 'koa';
import type { Mount } from './app.js';
import { webhookRouter } from './pipeline/index.js';
import { mountBullBoard } from './broadcast/bull-board.js';
import { mountConsole } from './console/mount.js';

/** Routers outside the core API, mounted by `serve` and `start` (webhooks, admin UI, the web console). */
export const appMounts: Mount[] = [
  (app, rt) => {
    const hooks = webhookRouter(rt);
    app.use(hooks.routes() as Koa.Middleware).use(hooks.allowedMethods() as Koa.Middleware);
  },
  mountBullBoard,
  mountConsole,
];
