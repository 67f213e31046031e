import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockWechatApi, type MockCall, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { tsEntry } from '../support/child.js';

const APP = { appId: 'wxmockapp0001', appSecret: 'oa-secret', corpId: 'wwmockcorp01', corpSecret: 'corp-secret' };
let mock: MockWechatApi;

type Json = Record<string, unknown> & { errcode?: number };
async function call(method: string, pathAndQuery: string, body?: unknown): Promise<Json> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${mock.url}${pathAndQuery}`, init);
  return (await res.json()) as Json;
}
const stable = (force = false, secret = APP.appSecret) =>
  call('POST', '/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APP.appId, secret, force_refresh: force });
const classic = (secret = APP.appSecret) => call('GET', `/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${secret}`);
const sendText = (token: unknown, touser = 'o_user_1') =>
  call('POST', `/cgi-bin/message/custom/send?access_token=${String(token)}`, { touser, msgtype: 'text', text: { content: '你好' } });

beforeAll(async () => {
  mock = await startMockWechatApi({ ...APP, unsubscribed: ['o_gone'] });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.clearFaults();
  mock.clearCalls();
});

describe('tokens (§10)', () => {
  it('stable_token returns the same token until force_refresh, which invalidates the old one', async () => {
    const a = await stable();
    const b = await stable();
    expect(a.errcode).toBe(0);
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBeGreaterThan(7000);
    const c = await stable(true);
    expect(c.access_token).not.toBe(a.access_token);
    expect((await sendText(a.access_token)).errcode).toBe(40001);
    expect((await sendText(c.access_token)).errcode).toBe(0);
  });

  it('classic /cgi-bin/token issues a new token each time and replaces the previous one', async () => {
    const a = await classic();
    const b = await classic();
    expect(b.access_token).not.toBe(a.access_token);
    expect(b.expires_in).toBe(7200);
    expect((await sendText(a.access_token)).errcode).toBe(40001);
    expect((await sendText(b.access_token)).errcode).toBe(0);
  });

  it('expireTokens → 42001, unknown token → 40014, and the next stable_token call is a new token', async () => {
    const a = await stable();
    mock.expireTokens();
    expect((await sendText(a.access_token)).errcode).toBe(42001);
    expect((await sendText('not-a-token')).errcode).toBe(40014);
    const b = await stable();
    expect(b.access_token).not.toBe(a.access_token);
    expect((await sendText(b.access_token)).errcode).toBe(0);
  });

  it('refuses wrong credentials: 40125 (stable), 40001 (classic), 40013 (appid)', async () => {
    expect((await stable(false, 'wrong')).errcode).toBe(40125);
    expect((await classic('wrong')).errcode).toBe(40001);
    const badId = await call('GET', `/cgi-bin/token?grant_type=client_credential&appid=wxother&secret=${APP.appSecret}`);
    expect(badId.errcode).toBe(40013);
  });

  it('WeCom gettoken reuses the token per corp+secret and message/send checks it', async () => {
    const q = `corpid=${APP.corpId}&corpsecret=${APP.corpSecret}`;
    const a = await call('GET', `/cgi-bin/gettoken?${q}`);
    const b = await call('GET', `/cgi-bin/gettoken?${q}`);
    expect(b.access_token).toBe(a.access_token);
    expect((await call('GET', `/cgi-bin/gettoken?corpid=${APP.corpId}&corpsecret=nope`)).errcode).toBe(40001);
    const sent = await call('POST', `/cgi-bin/message/send?access_token=${String(a.access_token)}`, {
      touser: 'zhangsan|o_gone',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'hi' },
    });
    expect(sent).toMatchObject({ errcode: 0, invaliduser: 'o_gone' });
    const oaToken = (await stable()).access_token;
    expect(
      (await call('POST', `/cgi-bin/message/send?access_token=${String(oaToken)}`, { touser: 'x', msgtype: 'text', agentid: 1, text: { content: 'hi' } }))
        .errcode,
    ).toBe(40014);
  });
});

describe('API endpoints', () => {
  it('answers template, menu, qrcode and user info like WeChat', async () => {
    const t = (await stable()).access_token as string;
    const tmpl = await call('POST', `/cgi-bin/message/template/send?access_token=${t}`, { touser: 'o1', template_id: 'T1', data: {} });
    expect(tmpl).toMatchObject({ errcode: 0 });
    expect(typeof tmpl.msgid).toBe('number');
    expect((await call('POST', `/cgi-bin/message/template/send?access_token=${t}`, { touser: 'o_gone', template_id: 'T1', data: {} })).errcode).toBe(43004);
    const menu = { button: [{ type: 'click', name: '健康上报', key: 'HEALTH_REPORT' }] };
    expect((await call('POST', `/cgi-bin/menu/create?access_token=${t}`, menu)).errcode).toBe(0);
    expect(
      (await call('POST', `/cgi-bin/menu/create?access_token=${t}`, { button: [menu.button[0], menu.button[0], menu.button[0], menu.button[0]] })).errcode,
    ).toBe(40016);
    const temp = await call('POST', `/cgi-bin/qrcode/create?access_token=${t}`, {
      expire_seconds: 600,
      action_name: 'QR_STR_SCENE',
      action_info: { scene: { scene_str: 'place:1' } },
    });
    expect(temp).toMatchObject({ errcode: 0, expire_seconds: 600 });
    expect(String(temp.url)).toMatch(/^http:\/\/weixin\.qq\.com\/q\//);
    const perm = await call('POST', `/cgi-bin/qrcode/create?access_token=${t}`, { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 7 } } });
    expect(perm.ticket).toBeTruthy();
    expect(perm.expire_seconds).toBeUndefined();
    expect(await call('GET', `/cgi-bin/user/info?access_token=${t}&openid=o1&lang=zh_CN`)).toMatchObject({ subscribe: 1, openid: 'o1', language: 'zh_CN' });
    expect(await call('GET', `/cgi-bin/user/info?access_token=${t}&openid=o_gone`)).toEqual({ errcode: 0, subscribe: 0, openid: 'o_gone' });
  });

  it('answers 404 with an errcode for unknown paths and 47001 for malformed JSON', async () => {
    const res = await fetch(`${mock.url}/cgi-bin/nope`);
    expect(res.status).toBe(404);
    const t = (await stable()).access_token as string;
    const bad = await fetch(`${mock.url}/cgi-bin/message/custom/send?access_token=${t}`, { method: 'POST', body: '{nope' });
    expect(((await bad.json()) as Json).errcode).toBe(47001);
  });
});

describe('call record and faults over HTTP', () => {
  it('GET /__calls lists every call with endpoint, query, body and errcode; DELETE clears', async () => {
    const t = (await stable()).access_token as string;
    await sendText(t, 'o_a');
    await sendText('bad', 'o_b');
    const calls = (await call('GET', '/__calls')) as unknown as MockCall[];
    expect(calls.map((c) => [c.endpoint, c.errcode])).toEqual([
      ['stable_token', 0],
      ['custom_send', 0],
      ['custom_send', 40014],
    ]);
    expect(calls[1]).toMatchObject({ method: 'POST', path: '/cgi-bin/message/custom/send', query: { access_token: t }, body: { touser: 'o_a' } });
    expect(typeof calls[0]!.time).toBe('number');
    expect(((await call('GET', '/__calls?endpoint=custom_send')) as unknown as MockCall[]).length).toBe(2);
    expect(await call('GET', '/__stats')).toMatchObject({ total: 3, byEndpoint: { custom_send: { calls: 2, errcodes: { '0': 1, '40014': 1 } } } });
    await call('DELETE', '/__calls');
    expect(mock.calls()).toEqual([]);
  });

  it('POST /__faults injects an errcode a limited number of times; DELETE /__faults removes faults', async () => {
    const t = (await stable()).access_token as string;
    await call('POST', '/__faults', { endpoint: 'custom_send', errcode: 45009, times: 2 });
    expect((await call('GET', '/__faults')).custom_send).toEqual([{ errcode: 45009, rate: 1, latencyMs: 0, remaining: 2, openids: null }]);
    expect([(await sendText(t)).errcode, (await sendText(t)).errcode, (await sendText(t)).errcode]).toEqual([45009, 45009, 0]);
    await call('POST', '/__faults', { endpoint: '/cgi-bin/message/custom/send', errcode: -1 });
    expect((await sendText(t)).errcode).toBe(-1);
    await call('DELETE', '/__faults');
    expect((await sendText(t)).errcode).toBe(0);
  });

  it('per-recipient faults fail only the listed openids; rate 0 never fires; * matches every endpoint', async () => {
    const t = (await stable()).access_token as string;
    mock.setFault('custom_send', [
      { errcode: 43004, openids: ['o_x', 'o_y'] },
      { errcode: -1, rate: 0 },
    ]);
    const codes = [];
    for (const o of ['o_1', 'o_x', 'o_2', 'o_y', 'o_x']) codes.push((await sendText(t, o)).errcode);
    expect(codes).toEqual([0, 43004, 0, 43004, 43004]);
    mock.setFault('*', { errcode: 45011, times: 1 });
    expect((await call('GET', `/cgi-bin/user/info?access_token=${t}&openid=o1`)).errcode).toBe(45011);
  });

  it('latency faults delay the answer', async () => {
    const t = (await stable()).access_token as string;
    await call('POST', '/__faults', { endpoint: 'custom_send', latencyMs: 150, times: 1 });
    const started = Date.now();
    expect((await sendText(t)).errcode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('recordBodies:false omits bodies and maxCalls keeps only the newest calls, stats count all', async () => {
    const small = await startMockWechatApi({ ...APP, recordBodies: false, maxCalls: 3 });
    try {
      const t = (
        (await (
          await fetch(`${small.url}/cgi-bin/stable_token`, {
            method: 'POST',
            body: JSON.stringify({ grant_type: 'client_credential', appid: APP.appId, secret: APP.appSecret }),
          })
        ).json()) as Json
      ).access_token;
      for (let i = 0; i < 10; i++) {
        await fetch(`${small.url}/cgi-bin/message/custom/send?access_token=${String(t)}`, {
          method: 'POST',
          body: JSON.stringify({ touser: `o${i}`, msgtype: 'text', text: { content: 'x' } }),
        });
      }
      const calls = small.calls();
      expect(calls.map((c) => c.seq)).toEqual([9, 10, 11]);
      expect(calls.every((c) => c.body === undefined)).toBe(true);
      expect(small.stats().total).toBe(11);
    } finally {
      await small.close();
    }
  });
});

it('accepts any credentials that were omitted or left empty', async () => {
  const open = await startMockWechatApi({ corpId: '', corpSecret: '' });
  try {
    const token = await (await fetch(`${open.url}/cgi-bin/token?grant_type=client_credential&appid=wxany&secret=any`)).json();
    expect(token).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(await (await fetch(`${open.url}/cgi-bin/gettoken?corpid=wwany&corpsecret=any`)).json()).toMatchObject({ errcode: 0 });
  } finally {
    await open.close();
  }
});

describe('CLI', () => {
  it('prints its URL, serves, and exits on SIGTERM', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const [command, args] = tsEntry(path.join(root, 'scripts/mock-wechat-api.ts'), ['--port', '0']);
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const m = /^mock WeChat API listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(line.toString());
      expect(m).not.toBeNull();
      const res = await fetch(`${m![1]}/__calls`);
      expect(await res.json()).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
