/**
 * The resident simulator's server side (only with SIMULATOR_ENABLED=1): the page says what the
 * resident does, this builds and signs the push exactly as WeChat would (the terminal chat's
 * codec, scripts/chat/), posts it to our own `/wechat`, and answers the decoded passive reply.
 * Messages the bot sends later through the API (status changes, late replies, notices) are read
 * back from the mock WeChat API's call log, filtered to the page's openid.
 */
import crypto from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { z } from 'zod';
import type { Config } from '../config.js';
import { buildPush, queryString, type ChannelCredentials, type ResidentAction } from '../../scripts/chat/wechat-request.js';
import { readReply, replyText } from '../../scripts/chat/wechat-reply.js';
import { CHAT_OA_ORIGINAL_ID } from '../../scripts/chat/options.js';
import { sentMessages } from './sent-messages.js';

const Openid = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'letters, digits, _ or -, 3 to 64 characters');
const Action = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: z.string().min(1).max(600) }),
  z.object({ type: z.literal('subscribe'), sceneKey: z.string().max(64).optional() }),
  z.object({ type: z.literal('unsubscribe') }),
  z.object({ type: z.literal('click'), key: z.string().regex(/^[A-Z_]{1,32}$/) }),
  z.object({ type: z.literal('scan'), sceneKey: z.string().min(1).max(64) }),
]);
const SendBody = z.object({ openid: Openid, action: Action });

let msgSeq = 0;
/** A 64-bit-looking MsgId, unique in this process (WeChat dedupes on it). */
const nextMsgId = () => `${Date.now()}${String(++msgSeq % 1000).padStart(3, '0')}`;

export function simulatorRouter(config: Config): Router {
  const creds: ChannelCredentials = {
    token: config.WECHAT_TOKEN,
    aesKey: config.WECHAT_ENCODING_AES_KEY,
    receiveId: config.WECHAT_APP_ID,
    toUser: CHAT_OA_ORIGINAL_ID,
  };
  const router = new Router({ prefix: '/simulator/api' });
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', onError: (_e, ctx) => ctx.throw(400, 'body is not valid JSON') }));

  router.post('/send', async (ctx) => {
    const parsed = SendBody.safeParse(ctx.request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.status = 400;
      ctx.body = { error: 'invalid_input', message: `${issue.path.join('.') || 'body'}: ${issue.message}` };
      return;
    }
    const { openid, action } = parsed.data;
    const now = Math.floor(Date.now() / 1000);
    const push = buildPush(
      config.WECHAT_MESSAGE_MODE,
      creds,
      action as ResidentAction,
      { fromUser: openid, createTime: now, msgId: nextMsgId() },
      { timestamp: now, nonce: String(crypto.randomInt(1e9)) },
    );
    // Our own server, on the address this request came in on (the mount does not know its port).
    const { localAddress, localPort } = ctx.req.socket;
    const host = localAddress?.includes(':') ? `[${localAddress.replace(/^::ffff:/, '')}]` : localAddress;
    const self = localAddress?.startsWith('::ffff:') ? `http://${localAddress.slice(7)}:${localPort}` : `http://${host}:${localPort}`;
    const res = await fetch(`${self}/wechat${queryString(push.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: push.body,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.text();
    if (res.status !== 200) {
      ctx.status = 502;
      ctx.body = { error: 'unavailable', message: `/wechat answered HTTP ${res.status}: ${body.slice(0, 200)}` };
      return;
    }
    const reply = readReply(body, creds, { expectEncrypted: config.WECHAT_MESSAGE_MODE !== 'plain' });
    ctx.body = { kind: reply.kind, text: reply.kind === 'reply' ? replyText(reply) : null };
  });

  router.get('/messages', async (ctx) => {
    const openid = Openid.safeParse(ctx.query.openid);
    const after = Number(ctx.query.after ?? 0);
    if (!openid.success || !Number.isInteger(after) || after < 0) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_input', message: 'openid (letters, digits, _ or -) and after (a sequence number ≥ 0) are required' };
      return;
    }
    ctx.body = await sentMessages(config.WECHAT_API_BASE, openid.data, after);
  });
  return router;
}
