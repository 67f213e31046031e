import type { Middleware } from 'koa';
import { respond, type RespondDeps } from '../../handlers/inbound/respond.js';
import type { InboundMessage } from '../wechat/index.js';
import type { WebhookState } from './channel.js';
import type { Runtime } from '../runtime.js';
import type { Language } from '../../models/resident.js';
import type { OutboundReply } from '../wechat/index.js';

/** The flow step's dependencies from the runtime (the webhook and the rescue job share them). */
export function respondDepsFor(rt: Runtime): RespondDeps {
  return {
    t: (lng: Language) => rt.i18n.getFixedT(lng),
    setLanguage: async (id: string, language: Language) => {
      await rt.models.Resident.updateOne({ _id: id }, { $set: { language } });
    },
  };
}

/** What a resident is sent when their message could not be handled after the deadline. */
export const apologyIn = (rt: Runtime, language: Language): OutboundReply => ({ type: 'text', content: rt.i18n.getFixedT(language)('error_try_again') });

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
