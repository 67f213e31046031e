import type { Middleware } from 'koa';
import type { Models } from '../../models/index.js';
import type { Clock } from '../runtime.js';
import { openConversation, saveConversation, type SessionStore } from '../../handlers/inbound/session.js';
import type { WebhookState } from './channel.js';

/**
 * Session as middleware around the flow step: load the resident (recording this inbound) and
 * the conversation, `await next()`, then save the conversation if the step changed it. When
 * the step throws nothing is saved, so a retry starts from the same state.
 */
export function session(models: Models, store: SessionStore, clock: Clock): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { spec, request } = ctx.state;
    const opened = await openConversation(models, store, spec.channel, request.inbound, clock.now());
    ctx.state.resident = opened.resident;
    ctx.state.session = opened.session;
    await next();
    await saveConversation(store, opened, ctx.state.session, clock.now());
  };
}
