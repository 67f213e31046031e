/**
 * Bull Board (the BullMQ dashboard) under `/admin/queues`, for platform admins only.
 *
 * The guard is the staff API's own `requireStaff` with `roles: ['admin']`. A browser cannot send
 * `Authorization: Bearer …` by itself, so the board also takes the token once as `?token=`:
 * if it is an admin's, it goes into an HttpOnly, SameSite=Strict cookie scoped to
 * `/admin/queues` (Secure over HTTPS, 8 hours) and the browser is redirected to the same URL
 * without it, so the token does not stay in the address bar or history. Every later request
 * (pages, the board's JSON API, its static files) is checked from that cookie — or from a
 * bearer header, for scripts. SameSite=Strict keeps other sites from driving the board's
 * actions (retry, clean) with the cookie.
 */
import type Koa from 'koa';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Runtime } from '../runtime.js';
import { requireStaff } from '../http/staff-auth.js';

export const BULL_BOARD_PATH = '/admin/queues';
export const BULL_BOARD_COOKIE = 'linli_admin';
const COOKIE_MAX_AGE_MS = 8 * 3600_000;

export function mountBullBoard(app: Koa, rt: Runtime): void {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: Object.values(rt.queues).map((q) => new BullMQAdapter(q)),
    // The Koa adapter is typed against its own copy of @bull-board/api (9.10.1); same interface.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Linli queues' } },
  });
  const board = serverAdapter.registerPlugin() as Koa.Middleware;
  const guard = requireStaff(rt, { roles: ['admin'] }) as unknown as Koa.Middleware;

  app.use(async (ctx, next) => {
    if (ctx.path !== BULL_BOARD_PATH && !ctx.path.startsWith(`${BULL_BOARD_PATH}/`)) return next();
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (token) {
      ctx.request.headers.authorization = `Bearer ${token}`;
      return guard(ctx, async () => {
        ctx.cookies.set(BULL_BOARD_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          path: BULL_BOARD_PATH,
          secure: ctx.secure,
          maxAge: COOKIE_MAX_AGE_MS,
          overwrite: true,
        });
        const rest = new URLSearchParams(ctx.querystring);
        rest.delete('token');
        ctx.redirect(`${ctx.path}${rest.size ? `?${rest}` : ''}`);
      });
    }
    if (!ctx.get('authorization')) {
      const fromCookie = ctx.cookies.get(BULL_BOARD_COOKIE);
      if (fromCookie) ctx.request.headers.authorization = `Bearer ${fromCookie}`;
    }
    return guard(ctx, () => board(ctx, next));
  });
}
