import type { Middleware } from 'koa';
import type { Logger } from '../log.js';

/**
 * One log line per request, after it is answered: staff API calls at `info` (who did what is
 * worth keeping), webhook and health traffic at `debug` (WeChat's volume would drown the rest).
 * Query strings are left out: they carry signatures and tokens.
 */
export function requestLog(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const actor = (ctx.state as { actor?: { id: string; role: string } }).actor;
      const line = {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round(ms * 10) / 10,
        ...(actor ? { staffId: actor.id, role: actor.role } : {}),
      };
      if (ctx.path.startsWith('/api/')) log.info(line, 'request');
      else log.debug(line, 'request');
    }
  };
}
