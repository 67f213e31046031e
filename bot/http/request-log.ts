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
      const api = ctx.path.startsWith('/api/');
      if (api || log.isLevelEnabled('debug')) logRequest(log, ctx, started, api);
    }
  };
}

/** Built only when it will be written: a webhook request at `info` costs no log object. */
function logRequest(log: Logger, ctx: Parameters<Middleware>[0], started: bigint, api: boolean): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const actor = (ctx.state as { actor?: { id: string; role: string } }).actor;
  const line = {
    method: ctx.method,
    path: ctx.path,
    status: ctx.status,
    ms: Math.round(ms * 10) / 10,
    ...(actor ? { staffId: actor.id, role: actor.role } : {}),
  };
  if (api) log.info(line, 'request');
  else log.debug(line, 'request');
}
