import type { Middleware } from 'koa';
import { decodeRequest } from '../wechat/index.js';
import type { Clock } from '../runtime.js';
import type { WebhookState } from './channel.js';

/**
 * Verify and decode in one codec call: the `msg_signature` that authenticates an encrypted push
 * is computed over the `Encrypt` element inside the body, so checking it needs the outer XML
 * (wechat-protocol.md §3.2). Signatures, then the replay window, then decryption and the app id;
 * any failure is a CodecError carrying its HTTP status (401/400/413) and nothing is written.
 */
export function decode(clock: Clock, toleranceS: number): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { spec } = ctx.state;
    ctx.state.request = decodeRequest({
      mode: spec.mode,
      query: ctx.query,
      body: ctx.state.rawBody,
      token: spec.token,
      aesKey: spec.aesKey,
      receiveId: spec.receiveId,
      nowSeconds: Math.floor(clock.now().getTime() / 1000),
      toleranceS,
      requireEncrypted: spec.requireEncrypted,
    });
    await next();
  };
}
