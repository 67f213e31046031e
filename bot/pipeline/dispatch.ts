import type { Middleware } from 'koa';
import { stepInbound, type InboundDeps } from '../../handlers/inbound/handle-inbound.js';
import type { InboundMessage, OutboundReply } from '../../handlers/inbound/messages.js';
import type { Language } from '../../flows/engine/types.js';
import type { Runtime } from '../runtime.js';
import { translator } from '../i18n.js';
import type { WebhookState } from './channel.js';

/** What a resident is sent when their message could not be handled after the deadline. */
export const apologyIn = (rt: Runtime, language: Language): OutboundReply => ({ type: 'text', content: translator(rt.i18n, language)('error_try_again') });

/**
 * The flow step: the conversation engine's step for the message, its effects carried out, the
 * reply rendered. `onHandled` is awaited once per run, after the step answered (see `WebhookHooks`).
 */
export function dispatch(deps: InboundDeps, onHandled?: (inbound: InboundMessage) => void | Promise<void>): Middleware<WebhookState> {
  return async (ctx, next) => {
    const stepped = await stepInbound(deps, ctx.state.opened);
    await onHandled?.(ctx.state.request.inbound);
    ctx.state.stepped = stepped;
    ctx.state.reply = stepped.reply;
    await next();
  };
}
