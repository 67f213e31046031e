import type { Middleware } from 'koa';
import { encodeResponse } from '../wechat/index.js';
import type { Clock, Ids } from '../runtime.js';
import type { WebhookState } from './channel.js';

/**
 * The last step of the data path, so the outer layer of the chain: after everything inside has
 * settled `ctx.state.outcome`, write the HTTP answer. A late outcome answers the literal
 * `success` (WeChat then stops retrying, §5) and the reply follows through the API; no reply
 * is an empty body; otherwise plain XML or, for encrypted pushes, the encrypted envelope.
 */
export function encodeReply(clock: Clock, ids: Ids): Middleware<WebhookState> {
  return async (ctx, next) => {
    await next();
    const { outcome, spec, request } = ctx.state;
    ctx.status = 200;
    if (outcome.kind === 'late') {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }
    const body = encodeResponse({
      reply: outcome.reply,
      request,
      token: spec.token,
      aesKey: spec.aesKey,
      receiveId: spec.receiveId,
      nowSeconds: Math.floor(clock.now().getTime() / 1000),
      // The envelope nonce must be letters/digits (the codec refuses others); base64url ids may
      // contain '-' or '_', which failed about one encrypted reply in three with a 500. A plain
      // reply has no envelope: no random bytes for it.
      nonce: request.encrypted ? ids.random(12).replace(/[-_]/g, 'x') : '',
    });
    ctx.type = body ? 'application/xml' : 'text/plain';
    ctx.body = body;
  };
}
