import type { Middleware } from 'koa';
import { respond, type RespondDeps } from '../../handlers/inbound/respond.js';
import type { InboundMessage } from '../wechat/index.js';
import type { WebhookState } from './channel.js';

/**
 * The flow step: hand the message, resident and conversation to the handler; keep its answer.
 * `onHandled` is awaited once per handler run, after the step answered (see `WebhookHooks`).
 */
export function dispatch(deps: RespondDeps, onHandled?: (inbound: InboundMessage) => void | Promise<void>): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { request, resident, session } = ctx.state;
    const out = await respond(deps, { inbound: request.inbound, resident, session });
    await onHandled?.(request.inbound);
    ctx.state.reply = out.reply;
    ctx.state.session = out.session;
    await next();
  };
}
