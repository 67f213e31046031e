import type { Middleware } from 'koa';
import type { Models } from '../../models/index.js';
import type { Clock } from '../runtime.js';
import { touchResident } from '../../handlers/inbound/touch-resident.js';
import { sessionKey, type SessionStore } from '../../handlers/inbound/session.js';
import type { WebhookState } from './channel.js';

/**
 * Session as middleware around the flow step: load the resident (recording this inbound) and
 * the conversation, `await next()`, then save the conversation if the step changed it. When
 * the step throws nothing is saved, so a retry starts from the same state.
 */
export function session(models: Models, store: SessionStore, clock: Clock): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { spec, request } = ctx.state;
    const key = sessionKey(spec.channel, request.inbound.fromUser);
    const [resident, loaded] = await Promise.all([touchResident(models, spec.channel, request.inbound, clock.now()), store.get(key)]);
    ctx.state.resident = resident;
    ctx.state.session = loaded ?? {};
    const before = JSON.stringify(ctx.state.session);
    await next();
    const after = JSON.stringify(ctx.state.session);
    if (after === '{}' && loaded) await store.delete(key);
    else if (after !== before) await store.set(key, { ...ctx.state.session, updatedAt: clock.now().toISOString() });
  };
}
