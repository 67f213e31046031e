import type { Middleware } from 'koa';
import { CodecError } from '../wechat/index.js';
import type { WebhookState } from './channel.js';

/** WeChat pushes are small; 64 KiB leaves room for a 10,000-character message encrypted. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/** Read the raw body (no parser touches it before the signature is checked), capped at 64 KiB → 413. */
export function readBody(): Middleware<WebhookState> {
  return async (ctx, next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > MAX_WEBHOOK_BODY_BYTES) throw new CodecError('body_too_large', `body over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) throw new CodecError('body_too_large', `body over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    ctx.state.rawBody = Buffer.concat(chunks).toString('utf8');
    await next();
  };
}
