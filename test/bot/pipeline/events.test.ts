/**
 * Event pushes (§6) through the whole webhook: what each answers and what it records on the
 * resident. Every inbound push, event or message, moves `lastInboundAt` (it opens WeChat's
 * 48-hour customer-service window, §8) and resets the window's message budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import type { ResidentAction, WireMode } from '../../../scripts/chat/wechat-request.js';
import { createTestRuntime, serveApp, writeBackResidents, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, wechatClient, type PushAnswer, type WechatTestClient } from '../../support/wechat-client.js';

/**
 * The server's clock stands still during a push and moves a second on for the next one (never
 * behind real time), so each push's `lastInboundAt` is known exactly, however long it takes.
 */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'pipeline_events', env: { ...WECOM_TEST_ENV }, clock });
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

/** The resident as MongoDB has it once the pending write-back is done. */
const resident = async (openid: string) => {
  await writeBackResidents(t.rt);
  return t.rt.models.Resident.findOne({ openid }).lean();
};

/** Push, and check the resident's lastInboundAt moved to this push's time. */
async function push(action: ResidentAction, openid: string, mode: WireMode = 'plain'): Promise<PushAnswer> {
  nowMs = Math.max(nowMs + 1000, Date.now());
  const res = await wx.push(action, { openid, mode });
  expect(res.status).toBe(200);
  expect((await resident(openid))?.lastInboundAt?.getTime()).toBe(nowMs);
  return res;
}

const textOf = (res: PushAnswer) => (res.reply?.kind === 'reply' ? res.reply.text : res.reply?.kind);

describe('subscribe and unsubscribe', () => {
  it('subscribe: the welcome, and the resident is subscribed', async () => {
    const res = await push({ type: 'subscribe' }, 'oFollower1');
    expect(textOf(res)).toMatch(/^欢迎关注邻里/);
    expect(await resident('oFollower1')).toMatchObject({ channel: 'wechat', subscribed: true, language: 'zh-CN' });
    expect((await resident('oFollower1'))?.subscribedAt).toBeInstanceOf(Date);
  });

  it('subscribe through a parametric QR code stores the scene without its qrscene_ prefix', async () => {
    const res = await push({ type: 'subscribe', sceneKey: 'building-7' }, 'oFollowerQr', 'safe');
    expect(textOf(res)).toMatch(/^欢迎关注邻里/);
    expect(await resident('oFollowerQr')).toMatchObject({ subscribed: true, subscribeScene: 'building-7' });
  });

  it('unsubscribe: an empty 200 (no reply) and the resident is marked unsubscribed', async () => {
    await push({ type: 'subscribe' }, 'oLeaver');
    const res = await push({ type: 'unsubscribe' }, 'oLeaver');
    expect(res.body).toBe('');
    expect(res.reply).toEqual({ kind: 'none' });
    const r = await resident('oLeaver');
    expect(r).toMatchObject({ subscribed: false });
    expect(r?.unsubscribedAt).toBeInstanceOf(Date);
  });

  it('following again after leaving flips subscribed back', async () => {
    await push({ type: 'unsubscribe' }, 'oReturner');
    expect((await resident('oReturner'))?.subscribed).toBe(false);
    await push({ type: 'subscribe' }, 'oReturner');
    expect((await resident('oReturner'))?.subscribed).toBe(true);
  });
});

describe('menu and other events', () => {
  it('CLICK on a service key answers that service', async () => {
    const res = await push({ type: 'click', key: 'SUPPLIES' }, 'oClicker');
    expect(textOf(res)).toContain('物资求助');
  });

  it('CLICK on an unknown key answers the menu', async () => {
    const res = await push({ type: 'click', key: 'NO_SUCH_KEY' }, 'oClicker');
    expect(textOf(res)).toMatch(/^请回复数字选择服务/);
  });

  it('CLICK in English after switching language', async () => {
    await push({ type: 'text', content: 'English' }, 'oClickerEn');
    const res = await push({ type: 'click', key: 'RUMOR_CHECK' }, 'oClickerEn', 'safe');
    expect(textOf(res)).toContain('Send me the message you want checked');
  });

  it('SCAN (an existing follower scans a QR code) answers the menu', async () => {
    const res = await push({ type: 'scan', sceneKey: 'building-9' }, 'oScanner');
    expect(textOf(res)).toMatch(/^请回复数字选择服务/);
  });

  it('LOCATION (periodic location report) answers nothing but records the inbound', async () => {
    const res = await push({ type: 'location_event', lat: 23.137466, lng: 113.352425, precision: 119.38504 }, 'oReporter');
    expect(res.reply).toEqual({ kind: 'none' });
  });

  it('VIEW (a menu link opened) answers nothing but records the inbound', async () => {
    const res = await push({ type: 'view', url: 'https://example.org/map?a=1&b=2' }, 'oViewer');
    expect(res.reply).toEqual({ kind: 'none' });
  });

  it('a location message (not the event) gets the polite text-only reply', async () => {
    const res = await push({ type: 'location', lat: 23.13, lng: 113.35, label: '天河区' }, 'oSharer');
    expect(textOf(res)).toContain('文字');
  });

  it('WeCom CLICK: answered with an encrypted reply, resident on the wecom channel', async () => {
    const res = await push({ type: 'click', key: 'VOLUNTEER' }, 'WecomMember01', 'wecom');
    expect(res.reply).toMatchObject({ kind: 'reply', encrypted: true, text: expect.stringContaining('志愿者报名') });
    expect(await resident('WecomMember01')).toMatchObject({ channel: 'wecom' });
  });
});

describe('every inbound opens the customer-service window', () => {
  it('each push moves lastInboundAt and resets the window budget', async () => {
    const openid = 'oWindow';
    await push({ type: 'subscribe' }, openid);
    await t.rt.models.Resident.updateOne({ openid }, { $set: { kfSentSinceInbound: 3 } });
    const seen: number[] = [];
    for (const action of [
      { type: 'text', content: 'hi' },
      { type: 'click', key: 'HEALTH_REPORT' },
      { type: 'view', url: 'https://example.org' },
      { type: 'location_event', lat: 1, lng: 2 },
      { type: 'scan', sceneKey: 'x' },
      { type: 'unsubscribe' },
    ] as ResidentAction[]) {
      await push(action, openid);
      const r = await resident(openid);
      seen.push(r!.lastInboundAt!.getTime());
      expect(r?.kfSentSinceInbound).toBe(0);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    expect(await t.rt.models.Resident.countDocuments({ openid })).toBe(1);
  });
});
