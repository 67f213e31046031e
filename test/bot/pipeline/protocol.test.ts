/**
 * The webhook over real HTTP in every mode: published vectors (Tencent's official samples,
 * EasyWeChat, wechatpy) and round trips through `createApp(rt, appMounts)` with a real Redis and
 * FerretDB. A vector that fails here means we disagree with WeChat itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import type { Config } from '../../../bot/config.js';
import type { Runtime } from '../../../bot/runtime.js';
import { encryptMessage, msgSignature, plainSignature } from '../../../bot/wechat/index.js';
import { queryString } from '../../../scripts/chat/wechat-request.js';
import { readReply } from '../../../scripts/chat/wechat-reply.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../../support/runtime.js';
import { OA_ORIGINAL_ID, WECOM_TEST_ENV, newMsgId, wechatClient, type PushAnswer, type WechatTestClient } from '../../support/wechat-client.js';

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'pipeline_protocol', env: { ...WECOM_TEST_ENV } });
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config, { openid: 'oProtocolUser01' });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await http?.close();
  await t?.close();
});

/**
 * The same runtime (Redis, FerretDB, queues) serving another account's settings, e.g. the
 * credentials of a published vector. Their timestamps are years old, so the replay window is off.
 */
async function serveWith(overrides: Partial<Config>): Promise<string> {
  const rt: Runtime = { ...t.rt, config: { ...t.rt.config, WECHAT_TIMESTAMP_TOLERANCE_S: 0, ...overrides } };
  const s = await serveApp(createApp(rt, appMounts));
  servers.push(s);
  return s.url;
}

async function post(url: string, query: Record<string, string>, body: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url + queryString(query), { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

const residentCount = (openid: string) => t.rt.models.Resident.countDocuments({ openid });

describe('published vectors through the HTTP endpoint', () => {
  it('OA GET handshake (wechatpy check_signature vector): echostr back as plain text', async () => {
    const url = await serveWith({ WECHAT_TOKEN: 'test' });
    const query = { signature: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff', timestamp: '1410685589', nonce: 'test', echostr: '5838479218127813673' };
    const res = await fetch(`${url}/wechat${queryString(query)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('5838479218127813673');
  });

  it('OA plain POST (wechatpy signature vector, official sample body): answered in plain XML', async () => {
    const url = await serveWith({ WECHAT_TOKEN: 'test' });
    const query = { signature: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff', timestamp: '1410685589', nonce: 'test', openid: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs' };
    // The plaintext of the official compatible-mode sample (test/fixtures/wechat/text.xml), own MsgId.
    const body = readFileSync(new URL('../../fixtures/wechat/text.xml', import.meta.url), 'utf8').replace('6054768590064713728', '6054768590064713729');
    const res = await post(`${url}/wechat`, query, body);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/xml/);
    const reply = readReply(res.body, {
      token: 'test',
      aesKey: t.config.WECHAT_ENCODING_AES_KEY,
      receiveId: t.config.WECHAT_APP_ID,
      toUser: 'gh_10f6c3c3ac5a',
    });
    if (reply.kind !== 'reply') throw new Error(`no reply: ${res.body}`);
    expect(reply.encrypted).toBe(false);
    expect(res.body).toMatch(
      /^<xml><ToUserName><!\[CDATA\[oyORnuP8q7ou2gfYjqLzSIWZf0rs\]\]><\/ToUserName><FromUserName><!\[CDATA\[gh_10f6c3c3ac5a\]\]><\/FromUserName><CreateTime>\d+<\/CreateTime><MsgType><!\[CDATA\[text\]\]><\/MsgType><Content><!\[CDATA\[/,
    );
  });

  it('WeCom GET handshake (official WXBizMsgCrypt sample): encrypted echostr → its plaintext, bare', async () => {
    const url = await serveWith({
      WECOM_CORP_ID: 'ww1436e0e65a779aee',
      WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
      WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    });
    const query = {
      msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
      timestamp: '1476416373',
      nonce: '47744683',
      echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
    };
    const res = await fetch(`${url}/wecom${queryString(query)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1288432023552776189'); // no quotes, no newline (§2.2)
  });

  it('WeCom POST (official sample): decrypted, handled, answered with an encrypted reply for the same corp', async () => {
    const corp = {
      token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
      aesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
      receiveId: 'ww1436e0e65a779aee',
      toUser: 'ww1436e0e65a779aee',
    };
    const url = await serveWith({ WECOM_CORP_ID: corp.receiveId, WECOM_TOKEN: corp.token, WECOM_ENCODING_AES_KEY: corp.aesKey });
    const body =
      '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';
    const res = await post(`${url}/wecom`, { msg_signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914' }, body);
    expect(res.status).toBe(200);
    const reply = readReply(res.body, corp, { expectEncrypted: true });
    expect(reply).toMatchObject({ kind: 'reply', encrypted: true });
    if (reply.kind !== 'reply') throw new Error('no reply');
    expect(reply.fields).toMatchObject({ ToUserName: 'ChenJiaShun', FromUserName: 'ww1436e0e65a779aee', MsgType: 'text' });
    expect(reply.text).toContain('1'); // the menu, in Chinese (a new resident)
    expect(await t.rt.models.Resident.findOne({ channel: 'wecom', openid: 'ChenJiaShun' }).lean()).toMatchObject({ channel: 'wecom' });
  });

  it('OA compatible mode (official WXBizMsgCrypt sample): the ciphertext counts, the reply is the envelope', async () => {
    const oa = { token: 'spamtest', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: 'wx2c2769f8efd9abc2', toUser: 'gh_10f6c3c3ac5a' };
    const url = await serveWith({ WECHAT_TOKEN: oa.token, WECHAT_ENCODING_AES_KEY: oa.aesKey, WECHAT_APP_ID: oa.receiveId, WECHAT_MESSAGE_MODE: 'compatible' });
    const encrypt =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
    const query = {
      signature: '16120ec1b8dbb870f510d87ce6bc2463eae6ca1a',
      timestamp: '1409735669',
      nonce: '1320562132',
      encrypt_type: 'aes',
      msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
      openid: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
    };
    // The plaintext copy is forged: only the authenticated ciphertext may count.
    const body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oATTACKER]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[English]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const res = await post(`${url}/wechat`, query, body);
    expect(res.status).toBe(200);
    const reply = readReply(res.body, oa, { expectEncrypted: true });
    if (reply.kind !== 'reply') throw new Error(`no reply: ${res.body}`);
    expect(reply.fields).toMatchObject({ ToUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', FromUserName: 'gh_10f6c3c3ac5a', MsgType: 'text' });
    expect(reply.text).not.toMatch(/Switched to English/); // the forged copy said "English"
    expect(await residentCount('oATTACKER')).toBe(0);
    expect(await residentCount('oyORnuP8q7ou2gfYjqLzSIWZf0rs')).toBe(1);
  });

  it('OA safe mode (EasyWeChat vector): decrypted "hello" from its sender, encrypted reply', async () => {
    const oa = { token: 'pamtest', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: 'wxb11529c136998cb6', toUser: 'asdasdasd' };
    const url = await serveWith({ WECHAT_TOKEN: oa.token, WECHAT_ENCODING_AES_KEY: oa.aesKey, WECHAT_APP_ID: oa.receiveId, WECHAT_MESSAGE_MODE: 'safe' });
    const encrypt =
      'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==';
    const timestamp = '1458300676';
    const nonce = '260774613';
    const query = {
      signature: plainSignature(oa.token, timestamp, nonce),
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
    };
    const res = await post(
      `${url}/wechat`,
      query,
      `<xml>\n    <ToUserName><![CDATA[asdasdasd]]></ToUserName>\n    <Encrypt><![CDATA[${encrypt}]]></Encrypt>\n</xml>\n`,
    );
    expect(res.status).toBe(200);
    const reply = readReply(res.body, oa, { expectEncrypted: true });
    if (reply.kind !== 'reply') throw new Error(`no reply: ${res.body}`);
    expect(reply.fields).toMatchObject({ ToUserName: 'asdasdasdsadasd', FromUserName: 'asdasdasd', MsgType: 'text' });
    // The envelope's own fields, as the official samples lay them out (§7).
    expect(res.body).toMatch(
      /^<xml>\n<Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt>\n<MsgSignature><!\[CDATA\[[0-9a-f]{40}\]\]><\/MsgSignature>\n<TimeStamp>\d+<\/TimeStamp>\n<Nonce><!\[CDATA\[[A-Za-z0-9_-]+\]\]><\/Nonce>\n<\/xml>$/,
    );
  });
});

describe('round trips in every mode', () => {
  it('GET /wechat: a signed handshake answers echostr; a wrong signature answers 401 and nothing else', async () => {
    const ok = await wx.get('plain', wx.verificationQuery('plain', '7364512203817'));
    expect(ok).toMatchObject({ status: 200, body: '7364512203817' });
    const bad = { ...wx.verificationQuery('plain', '7364512203817'), signature: '0'.repeat(40) };
    const res = await wx.get('plain', bad);
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('7364512203817');
    const missing = wx.verificationQuery('plain', '99');
    delete missing.signature;
    expect((await wx.get('plain', missing)).status).toBe(401);
  });

  it('GET /wecom: an encrypted echostr (with + / = escaped) answers its plaintext; another corp is refused', async () => {
    const res = await wx.get('wecom', wx.verificationQuery('wecom', '1616140317555161061'));
    expect(res).toMatchObject({ status: 200, body: '1616140317555161061' });
    const c = wx.creds('wecom');
    const ts = String(Math.floor(Date.now() / 1000));
    const echostr = encryptMessage(c.aesKey, '1616140317555161061', 'wwSOMEOTHERCORP');
    const other = await wx.get('wecom', { msg_signature: msgSignature(c.token, ts, '42', echostr), timestamp: ts, nonce: '42', echostr });
    expect(other.status).toBe(401);
    expect(other.body).not.toContain('1616140317555161061');
  });

  it.each(['plain', 'compatible', 'safe', 'wecom'] as const)('POST %s: a text message gets a reply addressed back to the sender', async (mode) => {
    const openid = `oRoundTrip-${mode}`;
    const res = await wx.push({ type: 'text', content: 'help' }, { mode, openid });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/xml/);
    const reply = res.reply!;
    if (reply.kind !== 'reply') throw new Error(`no reply: ${res.body}`);
    expect(reply.encrypted).toBe(mode !== 'plain');
    const us = mode === 'wecom' ? WECOM_TEST_ENV.WECOM_CORP_ID : OA_ORIGINAL_ID;
    expect(reply.fields).toMatchObject({ ToUserName: openid, FromUserName: us, MsgType: 'text' });
    expect(Number(reply.fields.CreateTime)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(reply.text).toMatch(/1 健康上报|1 Health report|健康/);
    const resident = await t.rt.models.Resident.findOne({ openid }).lean();
    expect(resident).toMatchObject({ channel: mode === 'wecom' ? 'wecom' : 'wechat', subscribed: true });
  });

  it('safe-mode reply: MsgSignature verifies over the envelope fields, and the ciphertext is for our AppID only', async () => {
    const res = await wx.push({ type: 'text', content: '1' }, { mode: 'safe', openid: 'oSafeEnvelope' });
    const c = wx.creds('safe');
    const field = (name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(res.body)![1]!;
    expect(field('MsgSignature')).toBe(msgSignature(c.token, field('TimeStamp'), field('Nonce'), field('Encrypt')));
    expect(() => readReply(res.body, { ...c, receiveId: 'wxSOMEONEELSE000' })).toThrow(/another app/);
    expect(() => readReply(res.body, { ...c, token: 'notourtoken' })).toThrow(/MsgSignature/);
  });

  it('every encrypted reply gets a valid envelope nonce (40 in a row; random ids once failed ~1 in 3)', async () => {
    // Eight at a time: each must beat the 4 s reply deadline to get an envelope at all, and 40 at
    // once took up to 1.6 s with two busy loops on the 2 cores.
    const answers: PushAnswer[] = [];
    for (let batch = 0; batch < 40; batch += 8) {
      const pushes = Array.from({ length: 8 }, (_, j) => batch + j).map((i) =>
        wx.push({ type: 'text', content: '5' }, { mode: i % 2 ? 'safe' : 'wecom', openid: `oNonce${i}` }),
      );
      answers.push(...(await Promise.all(pushes)));
    }
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    for (const r of answers) expect(r.reply?.kind).toBe('reply');
  });

  it('WeCom POST: a ciphertext for another corp id is refused with 401, nothing written', async () => {
    const c = wx.creds('wecom');
    const built = wx.build({ type: 'text', content: 'hi' }, { mode: 'wecom', openid: 'wecomIntruder' });
    const ts = built.query.timestamp!;
    const encrypt = encryptMessage(
      c.aesKey,
      `<xml><ToUserName>${c.toUser}</ToUserName><FromUserName>wecomIntruder</FromUserName><CreateTime>${ts}</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>${newMsgId()}</MsgId></xml>`,
      'wwSOMEOTHERCORP',
    );
    const query = { msg_signature: msgSignature(c.token, ts, '77', encrypt), timestamp: ts, nonce: '77' };
    const res = await wx.send('wecom', {
      query,
      body: `<xml><ToUserName><![CDATA[${c.toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID>1000002</AgentID></xml>`,
    });
    expect(res.status).toBe(401);
    expect(await residentCount('wecomIntruder')).toBe(0);
  });
});
