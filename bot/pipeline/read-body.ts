import type { Middleware } from 'koa';
import { CodecError } from '../wechat/index.js';
import type { WebhookState } from './channel.js';

/** WeChat pushes are small; 64 KiB leaves room for a 10,000-character message encrypted. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/** Read the raw body (no parser touches it before the signature is checked), capped at 64 KiB → 413. */
export function readBody(): Middleware<WebhookState> {
  return async (ctx, next) => {
    const tooLarge = () => {
      // The rest of the body stays unread: close the connection after the 413 rather than have
      // Node drain an arbitrarily long declared body, or leave a half-read chunked request on
      // a keep-alive socket (the next request on it hung, then was reset).
      ctx.set('Connection', 'close');
      return new CodecError('body_too_large', `body over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    };
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > MAX_WEBHOOK_BODY_BYTES) throw tooLarge();
    ctx.state.rawBody = await new Promise<string>((resolve, reject) => {
      // Events, not `for await`: no async iterator per request (a push is one or two chunks).
      const chunks: Buffer[] = [];
      let size = 0;
      const req = ctx.req;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_WEBHOOK_BODY_BYTES) return void chunks.push(chunk);
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
      };
      req.on('data', onData);
      req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      req.once('error', reject);
      // A sender that hung up mid-body: no 'end' will come (after 'end' this is a no-op).
      req.once('close', () => reject(new Error('request closed before its body ended')));
    });
    await next();
  };
}
