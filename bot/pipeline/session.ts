import type { Middleware } from 'koa';
import { closeInbound, openInbound, type InboundDeps } from '../../handlers/inbound/handle-inbound.js';
import type { WebhookState } from './channel.js';

/**
 * Session as middleware around the flow step (grammY's lesson): record the inbound on the
 * resident, take the resident's lease and load their conversation (what dedup's claim did not do
 * already), `await next()`, then save the conversation and let the lease go. When the step throws
 * nothing is saved, so a retry starts from the same state.
 */
export function session(deps: InboundDeps): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { spec, request } = ctx.state;
    const opened = await openInbound(deps, { channel: spec.channel, inbound: request.inbound, receivedAt: ctx.state.receivedAt }, ctx.state.preopened);
    ctx.state.opened = opened;
    ctx.state.resident = opened.resident;
    let saved = false;
    try {
      await next();
      saved = true;
    } finally {
      await closeInbound(deps, opened, saved ? ctx.state.stepped?.session : undefined);
    }
  };
}
