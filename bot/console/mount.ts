import fs from 'node:fs';
import type Koa from 'koa';
import type { Mount } from '../app.js';
import { simulatorRouter } from '../simulator/routes.js';
import { CONSOLE_DIST, notBuilt, sendBuilt } from './static.js';
import { placesOf } from '../conversation.js';
import { publicFigures } from '../../handlers/situation/public-figures.js';

/**
 * The web pages, built by Vite into dist/console/ (scripts/console/build.ts): the staff console
 * at `/console` (always; it signs in against `/api`), the resident simulator at `/simulator` and
 * the public figures at `/figures` — those two only when switched on, else a 404 like any
 * unknown path.
 */
export const mountConsole: Mount = (app, rt) => {
  const pages: Record<string, { file: string; name: string; on: boolean }> = {
    '/console': { file: 'index.html', name: 'console', on: true },
    '/simulator': { file: 'simulator.html', name: 'simulator', on: rt.config.SIMULATOR_ENABLED },
    '/figures': { file: 'figures.html', name: 'public figures page', on: rt.config.PUBLIC_FIGURES_ENABLED },
  };
  const simulator = rt.config.SIMULATOR_ENABLED ? simulatorRouter(rt.config) : undefined;
  if (simulator) app.use(simulator.routes() as Koa.Middleware).use(simulator.allowedMethods() as Koa.Middleware);
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const path = ctx.path.endsWith('/') && ctx.path.length > 1 ? ctx.path.slice(0, -1) : ctx.path;
    if (path === '/figures/data.json' && rt.config.PUBLIC_FIGURES_ENABLED) {
      ctx.set('cache-control', 'public, max-age=30');
      ctx.body = await publicFigures({ models: rt.models, places: placesOf(rt), clock: rt.clock });
      return;
    }
    const page = pages[path];
    if (page) {
      if (!page.on) return next();
      if (!(await sendBuilt(ctx, page.file))) notBuilt(ctx, page.name);
      return;
    }
    if (path.startsWith('/console/assets/')) {
      if (!(await sendBuilt(ctx, path.slice('/console/'.length)))) return next();
      return;
    }
    return next();
  });
};

/** True when the pages have been built (npm start prints a hint otherwise). */
export const consoleBuilt = () => fs.existsSync(`${CONSOLE_DIST}/index.html`);
