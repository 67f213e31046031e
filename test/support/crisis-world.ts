/**
 * A whole community for the gate, returnee and allocation tests: a real runtime (its own Redis,
 * a FerretDB database), the mock WeChat/WeCom API, the app served over HTTP (webhook and staff
 * API), the alert and bulk-message workers, and a clock the test moves to a local time of the
 * community (Asia/Shanghai) while real time keeps running from there.
 */
import type { Worker } from 'bullmq';
import { createApp } from '../../bot/app.js';
import { appMounts } from '../../bot/mounts.js';
import { alertNotifyWorker } from '../../bot/workers/alert-notify.js';
import { bulkMessagesWorker } from '../../bot/workers/bulk-messages.js';
import { instantAt } from '../../flows/engine/time.js';
import { residentIdFor } from '../../models/resident.js';
import type { Role } from '../../models/staff-user.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { residentPlayer, type ResidentPlayer } from './resident-player.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, type TestRuntime } from './runtime.js';
import { WECOM_TEST_ENV, wechatClient, type WechatTestClient } from './wechat-client.js';

export interface CrisisWorld {
  t: TestRuntime;
  mock: MockWechatApi;
  base: string;
  wx: WechatTestClient;
  clock: { now(): Date };
  /** Move the clock to a local day and time in Asia/Shanghai (real time runs on from there). */
  at(date: string, hhmm: string): void;
  player(openid: string): ResidentPlayer;
  /** A staff account with a WeCom user id; its bearer token. */
  staff(role: Role, scope: { community?: string; building?: string; street?: string }, wecomUserId?: string): Promise<string>;
  /** Call the staff API; the JSON answer (or the raw bytes for a non-JSON one). */
  api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers; bytes: Buffer }>;
  /** WeCom app texts sent so far, with their recipients. */
  wecomTexts(): Array<{ to: string; text: string }>;
  /** What the Official Account sent a resident outside the conversation: customer-service texts, template messages' data as JSON. */
  sentTo(openid: string): string[];
  residentId(openid: string): string;
  close(): Promise<void>;
}

export async function crisisWorld(dbPrefix: string): Promise<CrisisWorld> {
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const mock = await startMockWechatApi({ port: 0 });
  const t = await createTestRuntime({
    dbPrefix,
    clock,
    env: {
      ...WECOM_TEST_ENV,
      WECHAT_API_BASE: mock.url,
      WECOM_API_BASE: mock.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      WECHAT_NOTICE_TEMPLATE_ID: 'tmpl-crisis',
    },
  });
  await seedPlaces(t.rt.models);
  const http = await serveApp(createApp(t.rt, appMounts));
  const wx = wechatClient(http.url, t.config);
  const workers: Worker[] = [alertNotifyWorker(t.rt), bulkMessagesWorker(t.rt)];
  return {
    t,
    mock,
    base: http.url,
    wx,
    clock,
    at(date, hhmm) {
      offsetMs = instantAt(date, hhmm, 'Asia/Shanghai').getTime() - Date.now();
    },
    player: (openid) => residentPlayer(wx, openid, { nowS: () => Math.floor(clock.now().getTime() / 1000) }),
    async staff(role, scope, wecomUserId) {
      const s = await staffAccount(t.rt.models, { role, ...scope });
      if (wecomUserId) await t.rt.models.StaffUser.updateOne({ _id: s.id }, { $set: { wecomUserId } });
      return s.token;
    },
    async api(method, path, token, body) {
      const res = await fetch(http.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json, headers: res.headers, bytes };
    },
    wecomTexts: () =>
      mock
        .calls()
        .filter((c) => c.endpoint === 'wecom_send' && c.errcode === 0)
        .map((c) => {
          const b = c.body as { touser: string; text: { content: string } };
          return { to: b.touser, text: b.text.content };
        }),
    sentTo: (openid) =>
      mock
        .calls()
        .filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && c.errcode === 0 && (c.body as { touser?: string }).touser === openid)
        .map((c) =>
          c.endpoint === 'custom_send' ? (c.body as { text: { content: string } }).text.content : JSON.stringify((c.body as { data: unknown }).data),
        ),
    residentId: (openid) => String(residentIdFor('wechat', openid)),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await http.close();
      await t.close();
      await mock.close();
    },
  };
}

/** Register through the chat (building poster b:c1:<building>): room, household of 2, nobody vulnerable, a mobile. */
export async function registerInChat(p: ResidentPlayer, o: { building?: string; room?: string; language?: 'zh-CN' | 'en'; vulnerable?: boolean } = {}) {
  await p.subscribe(`b:c1:${o.building ?? 'b1'}`);
  if (o.language === 'en') await p.say('English');
  await p.say(o.room ?? '2-301');
  await p.say('2');
  await p.say(o.vulnerable ? '1' : '无');
  await p.say('跳过');
  const done = await p.say('1');
  if (!/登记完成|Registration complete|registered/i.test(done)) throw new Error(`registration did not finish: ${done}`);
  return p;
}
