/**
 * Shared by the volunteer tests: a runtime with the mock WeChat API, the webhook served, and the
 * workers that send bulk messages, late replies and reminders; approved volunteers seeded as the
 * approval would leave them; the staff API as JSON; and what the mock was asked to send whom.
 */
import type { Worker } from 'bullmq';
import { createApp } from '../../bot/app.js';
import { appMounts } from '../../bot/mounts.js';
import { bulkMessagesWorker } from '../../bot/workers/bulk-messages.js';
import { lateReplyWorker } from '../../bot/workers/late-reply.js';
import { volunteerRemindersWorker } from '../../bot/workers/volunteer-reminders.js';
import type { Runtime } from '../../bot/runtime.js';
import type { Area, Skill } from '../../flows/volunteers/skills.js';
import { residentIdFor } from '../../models/resident.js';
import { volunteerIdFor } from '../../models/volunteer.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { seedResidents } from '../handlers/broadcast/helpers.js';
import { waitFor, WAIT_MS } from './wait-for.js';
import { answerText, residentPlayer, type ResidentPlayer } from './resident-player.js';
import { createTestRuntime, seedPlaces, serveApp, type TestRuntime } from './runtime.js';
import { wechatClient, type WechatTestClient } from './wechat-client.js';

export interface VolunteerEnv {
  t: TestRuntime;
  rt: Runtime;
  mock: MockWechatApi;
  base: string;
  wx: WechatTestClient;
  player(openid: string): ResidentPlayer;
  close(): Promise<void>;
}

export async function volunteerEnv(dbPrefix: string, env: Record<string, string> = {}): Promise<VolunteerEnv> {
  const mock = await startMockWechatApi({ port: 0 });
  // The longest deadline WeChat allows: a loaded test machine should still answer passively.
  const t = await createTestRuntime({
    dbPrefix,
    env: { WECHAT_API_BASE: mock.url, WECHAT_NOTICE_TEMPLATE_ID: 'tmpl-volunteers', WECHAT_REPLY_DEADLINE_MS: '4900', ...env },
  });
  await seedPlaces(t.rt.models);
  const http = await serveApp(createApp(t.rt, appMounts));
  const wx = wechatClient(http.url, t.config);
  const workers: Worker[] = [bulkMessagesWorker(t.rt), lateReplyWorker(t.rt), volunteerRemindersWorker(t.rt)];
  return {
    t,
    rt: t.rt,
    mock,
    base: http.url,
    wx,
    player: (openid) => residentPlayer(wx, openid),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await http.close();
      await t.close();
      await mock.close();
    },
  };
}

export interface VolunteerSpec {
  openid: string;
  name?: string;
  skills?: Skill[];
  area?: Area;
  building?: string;
  community?: string;
  language?: 'zh-CN' | 'en';
}

/** Registered residents who are approved volunteers, as an approval leaves them (inserted in bulk). */
export async function seedVolunteers(rt: Runtime, specs: VolunteerSpec[]): Promise<void> {
  await seedResidents(
    rt.models,
    specs.map((s) => ({ openid: s.openid, building: s.building ?? 'b1', community: s.community ?? 'c1', volunteer: true, lastInboundAt: new Date() })),
  );
  for (const s of specs.filter((x) => x.language))
    await rt.models.Resident.updateOne({ _id: residentIdFor('wechat', s.openid) }, { $set: { language: s.language } });
  const now = new Date();
  await rt.models.Volunteer.insertMany(
    specs.map((s) => {
      const residentId = residentIdFor('wechat', s.openid);
      return {
        _id: volunteerIdFor(residentId),
        residentId,
        name: s.name ?? s.openid,
        mobile: '+8613800000000',
        skills: s.skills ?? [],
        availability: ['anytime'],
        area: s.area ?? 'community',
        streetCode: 's1',
        communityCode: s.community ?? 'c1',
        buildingCode: s.building ?? 'b1',
        status: 'approved',
        round: 1,
        appliedAt: now,
        consentAt: now,
        sourceKey: `seed-${s.openid}`,
      };
    }),
  );
}

export const volunteerId = (openid: string) => String(volunteerIdFor(residentIdFor('wechat', openid)));

/** JSON calls to the staff API with one token. */
export function staffApi(base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
  };
}

/** The texts the mock was asked to send `openid` (customer-service messages and templates), in order. */
export function sentTo(mock: MockWechatApi, openid: string): string[] {
  return mock
    .calls()
    .filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && c.errcode === 0 && (c.body as { touser?: string }).touser === openid)
    .map((c) => JSON.stringify(c.body));
}

/** Wait until `openid` was sent a message containing `text`. */
export function waitForMessage(mock: MockWechatApi, openid: string, text: string, timeoutMs = WAIT_MS): Promise<string> {
  return waitFor(`a message to ${openid} containing ${text}`, async () => sentTo(mock, openid).find((m) => m.includes(text)), timeoutMs, 50);
}

/**
 * The bot's answer to one push: the passive reply, or — when the webhook answered `success` at
 * its deadline on a loaded machine — the late reply sent through the customer-service API after it.
 */
export async function answerOf(env: VolunteerEnv, openid: string, push: () => ReturnType<ResidentPlayer['push']>): Promise<string> {
  const since = Date.now();
  const res = await push();
  if (res.reply?.kind !== 'late') return answerText(res);
  return waitFor(
    `the late reply to ${openid}`,
    async () => {
      const kf = env.mock.calls().filter((c) => c.endpoint === 'custom_send' && c.time >= since && (c.body as { touser?: string }).touser === openid);
      return kf.map((c) => (c.body as { text?: { content?: string } }).text?.content).find((x) => x && !x.startsWith('【'));
    },
    30_000,
    50,
  );
}
