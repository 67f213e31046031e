import type { Middleware } from 'koa';
import { AppError } from '../../handlers/errors.js';
import type { Logger } from '../log.js';

/** Map Koa/http-errors statuses that carry a safe message to our catalogue's codes. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'invalid_input',
};

/**
 * The outermost middleware: the one place an error becomes a response. `/api/*` answers JSON
 * `{error, message}`; other paths (the WeChat webhooks) answer plain text, since WeChat shows
 * users a generic failure for anything that is not XML anyway. Unexpected errors are logged and
 * never leak their message.
 */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as Error & { status?: number; statusCode?: number; expose?: boolean; code?: string; details?: unknown };
      let status = 500;
      let code = 'internal';
      let message = 'internal error';
      let details: unknown;
      if (e instanceof AppError) {
        ({ status, code, message } = e);
        details = e.details;
      } else if ((e.status ?? e.statusCode) && e.expose) {
        status = (e.status ?? e.statusCode)!;
        code = typeof e.code === 'string' ? e.code : (CODE_BY_STATUS[status] ?? 'error');
        message = e.message;
      } else {
        log.error({ err: e, path: ctx.path, method: ctx.method }, 'request failed');
      }
      ctx.status = status;
      if (ctx.path.startsWith('/api/') || ctx.path === '/api') {
        ctx.body = details ? { error: code, message, details } : { error: code, message };
      } else {
        ctx.type = 'text/plain';
        ctx.body = `${code}: ${message}`;
      }
    }
  };
}
