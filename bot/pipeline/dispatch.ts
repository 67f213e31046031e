import type { Middleware } from 'koa';
import { respond, type RespondDeps } from '../../handlers/inbound/respond.js';
import type { WebhookState } from './channel.js';

/** The flow step: hand the message, resident and conversation to the handler; keep its answer. */
export function dispatch(deps: RespondDeps): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { request, resident, session } = ctx.state;
    const out = await respond(deps, { inbound: request.inbound, resident, session });
    ctx.state.reply = out.reply;
    ctx.state.session = out.session;
    await next();
  };
}
