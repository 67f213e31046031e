import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWechatApi, fetchOfficialAccountToken, httpFor, type FetchFn, type Menu, type WechatApiOptions } from '../../bot/wechat/api-client.js';
import { LOCAL_CODES, WechatApiError } from '../../bot/wechat/api-errors.js';
import { createTokenCache, officialAccountTokenKey } from '../../bot/wechat/token-cache.js';
import { createWecomApi } from '../../bot/wecom/api-client.js';
import { startMockWechatApi, type EndpointName, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { startRedis } from '../support/services.js';

const APP = { appId: 'wxapiclient01', appSecret: 'oa-secret', corpId: 'wwapiclient01', corpSecret: 'corp-secret' };
let server: Awaited<ReturnType<typeof startRedis>>;
let redis: Redis;
let mock: MockWechatApi;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  mock = await startMockWechatApi({ ...APP, unsubscribed: ['o_gone'] });
});
afterAll(async () => {
  redis.disconnect();
  await mock.close();
  await server.stop();
});
beforeEach(async () => {
  await redis.flushall();
  mock.clearCalls();
  mock.clearFaults();
});

const api = (extra: Partial<WechatApiOptions> = {}) =>
  createWechatApi({ base: mock.url, appId: APP.appId, appSecret: APP.appSecret, redis, tokenCache: { pollMs: 10 }, ...extra });
const calls = (endpoint: EndpointName) => mock.calls().filter((c) => c.endpoint === endpoint);
const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as WechatApiError,
  );

describe('sends and token reuse', () => {
  it('sends a customer-service text with one token call for many sends', async () => {
    const wx = api();
    await wx.sendText('o_1', '你好');
    await wx.sendText('o_2', '再见');
    expect(calls('stable_token')).toHaveLength(1);
    expect(calls('stable_token')[0]!.body).toMatchObject({ appid: APP.appId, force_refresh: false });
    expect(calls('custom_send').map((c) => c.body)).toEqual([
      { touser: 'o_1', msgtype: 'text', text: { content: '你好' } },
      { touser: 'o_2', msgtype: 'text', text: { content: '再见' } },
    ]);
    expect(JSON.parse((await redis.get(officialAccountTokenKey(APP.appId)))!).token).toBe(calls('custom_send')[0]!.query.access_token);
  });

  it('sends a template message (plain strings wrapped as {value}) and returns its msgid', async () => {
    const res = await api().sendTemplate('o_1', 'TMPL1', { first: '通知', keyword1: { value: '停水', color: '#FF0000' } }, 'https://example.org/n/1');
    expect(typeof res.msgid).toBe('number');
    expect(calls('template_send')[0]!.body).toEqual({
      touser: 'o_1',
      template_id: 'TMPL1',
      url: 'https://example.org/n/1',
      data: { first: { value: '通知' }, keyword1: { value: '停水', color: '#FF0000' } },
    });
  });

  it('creates the menu from scripts/menu.json', async () => {
    const menu = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../scripts/menu.json'), 'utf8')) as Menu;
    await api().createMenu(menu);
    expect(calls('menu_create')[0]).toMatchObject({ errcode: 0, body: menu });
    const err = await caught(api().createMenu({ button: [] }));
    expect(err).toMatchObject({ code: 40016, kind: 'invalid', retryable: false });
  });

  it('creates temporary and permanent QR codes', async () => {
    const wx = api();
    const temp = await wx.createQrCode({ scene: 'place:42', permanent: false, expireSeconds: 3600 });
    expect(temp.expireSeconds).toBe(3600);
    expect(temp.imageUrl).toBe(`https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(temp.ticket)}`);
    const perm = await wx.createQrCode({ scene: 7, permanent: true });
    expect(perm.expireSeconds).toBeNull();
    expect(calls('qrcode_create').map((c) => c.body)).toEqual([
      { expire_seconds: 3600, action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'place:42' } } },
      { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 7 } } },
    ]);
    await expect(wx.createQrCode({ scene: 100_001, permanent: true })).rejects.toThrow(RangeError);
  });

  it('reads user info', async () => {
    const wx = api();
    expect(await wx.getUserInfo('o_1')).toMatchObject({ openid: 'o_1', subscribed: true, language: 'zh_CN', tagIds: [] });
    expect(await wx.getUserInfo('o_gone')).toEqual({ openid: 'o_gone', subscribed: false, tagIds: [] });
  });
});

describe('token errors (§10, §12)', () => {
  it('40001 with a stale token: re-reads the token another process refreshed, no forced refresh of its own', async () => {
    // "Another process": its own token cache over the same Redis key and the real token fetcher.
    const src = { base: mock.url, appId: APP.appId, appSecret: APP.appSecret, endpoint: 'stable' } as const;
    const elsewhere = createTokenCache({
      redis,
      key: officialAccountTokenKey(APP.appId),
      fetchToken: (force) => fetchOfficialAccountToken(httpFor({ timeoutMs: 2_000 }), src, force),
    });
    let raced = false;
    // Between our read of the shared token and its arrival at WeChat, the other process rotates it.
    const racing: FetchFn = async (input, init) => {
      if (!raced && String(input).includes('/message/custom/send')) {
        raced = true;
        await elsewhere.renew(new URL(String(input)).searchParams.get('access_token')!);
      }
      return fetch(input, init);
    };
    await api({ fetch: racing }).sendText('o_1', 'hi');

    expect(calls('custom_send').map((c) => c.errcode)).toEqual([40001, 0]);
    // ours (normal), the other process's (forced) — and nothing after our 40001
    expect(calls('stable_token').map((c) => (c.body as { force_refresh: boolean }).force_refresh)).toEqual([false, true]);
  });

  it('42001 on the current token forces one refresh and retries once', async () => {
    const wx = api();
    await wx.sendText('o_1', 'one');
    mock.expireTokens();
    await wx.sendText('o_1', 'two');
    expect(calls('custom_send').map((c) => c.errcode)).toEqual([0, 42001, 0]);
    expect(calls('stable_token').map((c) => (c.body as { force_refresh: boolean }).force_refresh)).toEqual([false, true]);
  });

  it('fails after one renewal if the retried call is refused again', async () => {
    mock.setFault('custom_send', { errcode: 40001, times: 2 });
    const err = await caught(api().sendText('o_1', 'hi'));
    expect(err).toMatchObject({ code: 40001, kind: 'token', endpoint: 'custom_send' });
    expect(calls('custom_send')).toHaveLength(2);
    expect(calls('stable_token')).toHaveLength(2);
  });

  it('classic endpoint: GET /cgi-bin/token, and a refresh on 42001', async () => {
    const wx = api({ tokenEndpoint: 'classic' });
    await wx.sendText('o_1', 'one');
    mock.expireTokens();
    await wx.sendText('o_1', 'two');
    expect(calls('stable_token')).toHaveLength(0);
    expect(calls('token').map((c) => c.query)).toEqual([
      { grant_type: 'client_credential', appid: APP.appId, secret: APP.appSecret },
      { grant_type: 'client_credential', appid: APP.appId, secret: APP.appSecret },
    ]);
    expect(calls('custom_send').map((c) => c.errcode)).toEqual([0, 42001, 0]);
  });

  it('wrong AppSecret is a non-retryable token error, fetched once, never leaked in the message', async () => {
    const stable = await caught(api({ appSecret: 'wrong-secret' }).sendText('o_1', 'x'));
    expect(stable).toMatchObject({ code: 40125, kind: 'token', retryable: false, endpoint: 'stable_token' });
    const classic = await caught(api({ appSecret: 'wrong-secret', tokenEndpoint: 'classic' }).sendText('o_1', 'x'));
    expect(classic).toMatchObject({ code: 40001, kind: 'token', retryable: false, endpoint: 'token' });
    expect(classic!.message).not.toContain('wrong-secret');
    expect(mock.calls().map((c) => c.endpoint)).toEqual(['stable_token', 'token']);
  });
});

describe('typed errors from fault injection', () => {
  it.each([
    [-1, 'busy', true],
    [45009, 'quota', true],
    [45015, 'out_of_window', false],
    [45047, 'quota', true],
    [45011, 'rate', true],
    [40003, 'invalid', false],
    [99999, 'other', false],
  ] as const)('errcode %i → kind %s, retryable %s', async (errcode, kind, retryable) => {
    const wx = api();
    await wx.getAccessToken();
    mock.setFault('custom_send', { errcode });
    const err = await caught(wx.sendText('o_1', 'x'));
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).toMatchObject({ code: errcode, kind, retryable, endpoint: 'custom_send' });
    expect(calls('custom_send')).toHaveLength(1); // no retry inside the client
  });

  it('43004 for the unsubscribed recipients of a broadcast only', async () => {
    const wx = api();
    mock.setFault('custom_send', { errcode: 43004, openids: ['o_left'] });
    const results = await Promise.all(['o_a', 'o_left', 'o_b'].map((o) => caught(wx.sendText(o, 'x'))));
    expect(results.map((e) => e && { code: e.code, kind: e.kind, retryable: e.retryable })).toEqual([
      null,
      { code: 43004, kind: 'unsubscribed', retryable: false },
      null,
    ]);
  });

  it('a slow answer becomes a retryable timeout', async () => {
    const wx = api({ timeoutMs: 100 });
    await wx.getAccessToken();
    mock.setFault('custom_send', { latencyMs: 2_000, times: 1 });
    const err = await caught(wx.sendText('o_1', 'x'));
    expect(err).toMatchObject({ code: LOCAL_CODES.timeout, kind: 'timeout', retryable: true });
    expect(calls('custom_send')).toEqual([]); // the client gave up before the mock answered (it records when it answers)
  });

  it('an unreachable server is a retryable network error; a non-JSON 404 too', async () => {
    const down = await startMockWechatApi();
    const url = down.url;
    await down.close();
    expect(await caught(api({ base: url }).getAccessToken())).toMatchObject({ code: LOCAL_CODES.network, kind: 'network', retryable: true });
    expect(await caught(api({ base: `${mock.url}/nowhere` }).getAccessToken())).toMatchObject({ kind: 'network', retryable: true, endpoint: 'stable_token' });
  });
});

describe('WeCom', () => {
  const wecom = (secret = APP.corpSecret) =>
    createWecomApi({ base: mock.url, corpId: APP.corpId, secret, agentId: '1000002', redis, tokenCache: { pollMs: 10 } });

  it('gets a token with gettoken and sends text to users, parties and tags', async () => {
    const wc = wecom();
    const res = await wc.sendText({ touser: ['zhangsan', 'o_gone'], toparty: ['2'] }, '停水通知');
    await wc.sendText({ totag: ['5', '6'] }, '第二条');
    expect(res.invalidUser).toEqual(['o_gone']);
    expect(res.msgid).toBeTruthy();
    expect(calls('wecom_gettoken').map((c) => c.query)).toEqual([{ corpid: APP.corpId, corpsecret: APP.corpSecret }]);
    expect(calls('wecom_send').map((c) => c.body)).toEqual([
      { touser: 'zhangsan|o_gone', toparty: '2', msgtype: 'text', agentid: 1000002, text: { content: '停水通知' }, safe: 0 },
      { totag: '5|6', msgtype: 'text', agentid: 1000002, text: { content: '第二条' }, safe: 0 },
    ]);
    await expect(wc.sendText({}, 'x')).rejects.toThrow(RangeError);
  });

  it('keeps one token per corp + secret, renews on 42001, and refuses a wrong secret', async () => {
    await wecom().getAccessToken();
    await wecom().getAccessToken();
    expect(calls('wecom_gettoken')).toHaveLength(1);
    mock.expireTokens();
    await wecom().sendText({ touser: ['lisi'] }, 'x');
    expect(calls('wecom_send').map((c) => c.errcode)).toEqual([42001, 0]);
    expect(calls('wecom_gettoken')).toHaveLength(2);
    expect(await caught(wecom('bad').getAccessToken())).toMatchObject({ code: 40001, kind: 'token', retryable: false, endpoint: 'wecom_gettoken' });
    expect((await redis.keys('wecom:token:*')).filter((k) => !k.endsWith(':lock'))).toHaveLength(1);
  });
});
