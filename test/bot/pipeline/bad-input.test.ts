/**
 * Hostile and broken pushes, one per test. Each must be answered with the right status, leave
 * the process serving, and write nothing: no Resident, no dedup claim, no session.
 */
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import type { Config } from '../../../bot/config.js';
import { aesKeyFromEncodingKey, encryptMessage, msgSignature, plainSignature } from '../../../bot/wechat/index.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../bot/pipeline/read-body.js';
import { actionXml, queryString, wrapPush, type WireRequest } from '../../../scripts/chat/wechat-request.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, newMsgId, newNonce, wechatClient, type WechatTestClient } from '../../support/wechat-client.js';

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'pipeline_bad', env: { ...WECOM_TEST_ENV } });
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config, { openid: 'oBadInput' });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await http?.close();
  await t?.close();
});

async function serveWith(overrides: Partial<Config>): Promise<WechatTestClient> {
  const config = { ...t.rt.config, ...overrides };
  const s = await serveApp(createApp({ ...t.rt, config }, appMounts));
  servers.push(s);
  return wechatClient(s.url, config, { openid: 'oBadInput' });
}

/** Everything a handled push writes: dedup claims and sessions in Redis, residents in FerretDB. */
async function footprint() {
  const [inbound, sessions, residents] = await Promise.all([
    t.rt.redis.keys('wx:inbound:*'),
    t.rt.redis.keys('wx:session:*'),
    t.rt.models.Resident.countDocuments(),
  ]);
  return { inbound: inbound.length, sessions: sessions.length, residents };
}

let before: Awaited<ReturnType<typeof footprint>>;
/** Set by the few tests below that are meant to be handled (and so write). */
let handled = false;
beforeEach(async () => {
  handled = false;
  before = await footprint();
});
afterEach(async () => {
  // Still serving, and (unless the push was meant to be handled) nothing written.
  expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  if (!handled) expect(await footprint()).toEqual(before);
});

const now = () => Math.floor(Date.now() / 1000);
const textXml = (content = 'hi', openid = 'oBadInput') =>
  actionXml({ type: 'text', content }, { fromUser: openid, createTime: now(), msgId: newMsgId() }, wx.creds('plain'));
/** Sign a plain push (body as given). */
const plain = (body: string, timestamp = now()): WireRequest => wrapPush('plain', wx.creds('plain'), body, { timestamp, nonce: newNonce() });
/** A safe-mode push whose Encrypt is `encrypt`, correctly signed over it. */
function safeWith(encrypt: string): WireRequest {
  const c = wx.creds('safe');
  const ts = String(now());
  const nonce = newNonce();
  return {
    query: {
      signature: plainSignature(c.token, ts, nonce),
      timestamp: ts,
      nonce,
      encrypt_type: 'aes',
      msg_signature: msgSignature(c.token, ts, nonce, encrypt),
    },
    body: `<xml><ToUserName><![CDATA[${c.toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

describe('signatures and the replay window', () => {
  it('a wrong signature is refused with 401', async () => {
    const req = plain(textXml());
    const res = await wx.send('plain', { ...req, query: { ...req.query, signature: 'f'.repeat(40) } });
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/^bad_signature/);
  });

  it('a missing signature is refused with 401', async () => {
    const req = plain(textXml());
    const { signature: _drop, ...query } = req.query;
    expect((await wx.send('plain', { ...req, query })).status).toBe(401);
  });

  it('a missing timestamp or nonce is refused with 401', async () => {
    const req = plain(textXml());
    const { nonce: _drop, ...query } = req.query;
    expect((await wx.send('plain', { ...req, query })).status).toBe(401);
  });

  it('safe mode: a valid signature but a msg_signature that does not cover the ciphertext is refused', async () => {
    const req = wx.build({ type: 'text', content: 'hi' }, { mode: 'safe' });
    const res = await wx.send('safe', {
      ...req,
      query: { ...req.query, msg_signature: msgSignature(wx.creds('safe').token, req.query.timestamp!, req.query.nonce!, 'AAAA') },
    });
    expect(res.status).toBe(401);
  });

  it('WeCom: a wrong msg_signature is refused, on POST and on the GET handshake', async () => {
    const req = wx.build({ type: 'text', content: 'hi' }, { mode: 'wecom' });
    expect((await wx.send('wecom', { ...req, query: { ...req.query, msg_signature: '0'.repeat(40) } })).status).toBe(401);
    const q = wx.verificationQuery('wecom', '123');
    expect((await wx.get('wecom', { ...q, msg_signature: '0'.repeat(40) })).status).toBe(401);
  });

  it('a stale timestamp (older than WECHAT_TIMESTAMP_TOLERANCE_S) is refused with 401', async () => {
    const res = await wx.send('plain', plain(textXml(), now() - t.config.WECHAT_TIMESTAMP_TOLERANCE_S - 5));
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/^stale_timestamp/);
  });

  it('a future timestamp is refused too, also for encrypted pushes and the GET handshake', async () => {
    const future = now() + t.config.WECHAT_TIMESTAMP_TOLERANCE_S + 5;
    expect((await wx.send('plain', plain(textXml(), future))).status).toBe(401);
    expect((await wx.push({ type: 'text', content: 'hi' }, { mode: 'safe', timestamp: future })).status).toBe(401);
    expect((await wx.get('plain', wx.verificationQuery('plain', '5', future))).status).toBe(401);
  });

  it('WECHAT_TIMESTAMP_TOLERANCE_S=0 turns the window off (a day-old timestamp is handled)', async () => {
    handled = true;
    const lax = await serveWith({ WECHAT_TIMESTAMP_TOLERANCE_S: 0 });
    const res = await lax.push({ type: 'text', content: 'hi' }, { openid: 'oToleranceOff', timestamp: now() - 86_400 });
    expect(res.status).toBe(200);
    expect(res.reply?.kind).toBe('reply');
  });

  it('an account in safe mode refuses a plaintext push (its signature does not cover the body)', async () => {
    const safe = await serveWith({ WECHAT_MESSAGE_MODE: 'safe' });
    const res = await safe.push({ type: 'text', content: 'hi' }, { mode: 'plain' });
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/^encryption_required/);
  });
});

describe('bodies', () => {
  it('malformed XML is refused with 400', async () => {
    const res = await wx.send('plain', plain('<xml><ToUserName>gh</ToUserName><FromUserName>oBadInput</xml>'));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^malformed_xml/);
  });

  it('XML missing required fields is refused with 400', async () => {
    expect((await wx.send('plain', plain('<xml><ToUserName>gh</ToUserName><Content>hi</Content></xml>'))).status).toBe(400);
  });

  it('a body that is not XML (JSON) is refused with 400', async () => {
    expect((await wx.send('plain', plain('{"FromUserName":"oBadInput","MsgType":"text"}'))).status).toBe(400);
  });

  it('a DOCTYPE with an internal entity bomb is refused unparsed (400)', async () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE xml [${lol}]><xml><ToUserName>gh</ToUserName><FromUserName>oBadInput</FromUserName><CreateTime>${now()}</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>`;
    const res = await wx.send('plain', plain(bomb));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^forbidden_doctype/); // the check before parsing: nothing was expanded
  });

  it('the same bomb inside a valid ciphertext (safe mode) is refused after decryption', async () => {
    const inner = `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><ToUserName>gh</ToUserName><FromUserName>oBadInput</FromUserName><CreateTime>${now()}</CreateTime><MsgType>text</MsgType><Content>&b;</Content><MsgId>2</MsgId></xml>`;
    const res = await wx.send('safe', safeWith(encryptMessage(wx.creds('safe').aesKey, inner, wx.creds('safe').receiveId)));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^forbidden_doctype/);
  });

  it('an external entity (XXE) is refused and never resolved', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>oBadInput</FromUserName><CreateTime>${now()}</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>3</MsgId></xml>`;
    const res = await wx.send('plain', plain(xxe));
    expect(res.status).toBe(400);
    expect(res.body).not.toMatch(/root:/);
  });

  it('a body over 64 KiB is refused with 413 (declared length)', async () => {
    const big = textXml('x'.repeat(MAX_WEBHOOK_BODY_BYTES + 10));
    const res = await wx.send('plain', plain(big));
    expect(res.status).toBe(413);
  });

  it('a body over 64 KiB is refused with 413 when streamed without a length (chunked)', async () => {
    const req = plain(textXml('x'.repeat(100)));
    const chunk = new TextEncoder().encode('<!-- padding -->'.repeat(1024)); // 16 KiB
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${http.url}/wechat${queryString(req.query)}`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    // The unread rest must not poison a keep-alive socket for the next request.
    expect(res.headers.get('connection')).toBe('close');
    await res.text();
    expect((await wx.send('plain', plain(''))).status).toBe(400);
  });

  it('an empty body is refused with 400', async () => {
    const res = await wx.send('plain', plain(''));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^empty_body/);
  });

  it('an unknown encrypt_type is refused with 400', async () => {
    const req = plain(textXml());
    expect((await wx.send('plain', { ...req, query: { ...req.query, encrypt_type: 'des' } })).status).toBe(400);
  });
});

describe('ciphertexts', () => {
  it('a payload encrypted for another app id is refused with 401', async () => {
    const c = wx.creds('safe');
    const res = await wx.send('safe', safeWith(encryptMessage(c.aesKey, textXml(), 'wxANOTHERAPP00000')));
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/^wrong_app_id/);
  });

  it('a truncated ciphertext (signed as truncated) is refused with 400', async () => {
    const c = wx.creds('safe');
    const full = encryptMessage(c.aesKey, textXml(), c.receiveId);
    const res = await wx.send('safe', safeWith(full.slice(0, full.length - 24)));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^bad_ciphertext/);
  });

  it('a ciphertext with bad PKCS#7 padding is refused with 400', async () => {
    const key = aesKeyFromEncodingKey(wx.creds('safe').aesKey);
    const plaintext = Buffer.alloc(64, 0x41);
    plaintext[63] = 0; // pad byte 0 is never valid
    const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const encrypt = Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
    const res = await wx.send('safe', safeWith(encrypt));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^bad_padding/);
  });

  it('a ciphertext that is not base64 is refused with 400', async () => {
    const res = await wx.send('safe', safeWith('not*base64!'));
    expect(res.status).toBe(400);
  });
});

describe('a stored conversation that does not parse', () => {
  it('fails the push (500, WeChat retries) and lets both the message and the resident go', async () => {
    handled = true;
    const openid = 'oCorruptSession';
    await t.rt.redis.set(`wx:session:wechat:${openid}`, '{not json');
    const msgId = newMsgId();
    const res = await wx.push({ type: 'text', content: 'hi' }, { openid, msgId });
    expect(res.status).toBe(500);
    // The claim and the lease are undone at once, so the retry is not held up behind them.
    expect(await t.rt.redis.exists(`wx:lock:wechat:${openid}`)).toBe(0);
    expect((await t.rt.redis.keys('wx:inbound:*')).filter((k) => k.includes(msgId))).toEqual([]);
  });
});

describe('odd but legitimate messages are answered', () => {
  it('an unknown message type gets a polite text reply (200), not an error', async () => {
    handled = true;
    const res = await wx.push({ type: 'raw', msgType: 'miniprogrampage', fields: { Title: 't', AppId: 'wxapp' } }, { openid: 'oUnknownType' });
    expect(res.status).toBe(200);
    expect(res.reply).toMatchObject({ kind: 'reply', text: expect.stringContaining('文字') });
  });

  it('an image gets the same polite reply', async () => {
    handled = true;
    const res = await wx.push({ type: 'image', picUrl: 'http://mmbiz.qpic.cn/x', mediaId: 'm1' }, { openid: 'oImage', mode: 'safe' });
    expect(res.reply).toMatchObject({ kind: 'reply', text: expect.stringContaining('文字') });
  });

  it.each(['plain', 'safe', 'wecom'] as const)('a 10,000-character message is answered (%s)', async (mode) => {
    handled = true;
    const content = '停'.repeat(5000) + 'w'.repeat(5000);
    const built = wx.build({ type: 'text', content }, { mode, openid: `oLongText-${mode}` });
    expect(Buffer.byteLength(built.body)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    const res = await wx.send(mode, built);
    expect(res.status).toBe(200);
    // A paste that long outside a form reads as a forwarded article: the rumour check asks for less.
    expect(res.reply).toMatchObject({ kind: 'reply', text: expect.stringContaining('内容太长了') });
  });
});
