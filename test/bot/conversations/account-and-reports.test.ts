/**
 * More resident conversations through the real webhook (plain mode, real Redis and FerretDB): an
 * out-of-range choice, My account, a community poster, "same as yesterday", and the scripted
 * check-in flag computed from the reports the resident really sent on earlier days, and "still
 * needed" kept for staff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { startMockWechatApi, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { localDate, shiftDate } from '../../../flows/engine/time.js';
import { AUTOMATION_DAYS } from '../../../flows/health/automation.js';
import { healthReportIdFor, type HealthReport } from '../../../models/health-report.js';
import { residentIdFor } from '../../../models/resident.js';
import type { SupplyRequest } from '../../../models/supply-request.js';
import { STILL_NEEDED_BONUS } from '../../../flows/supplies/priority.js';
import { priorityOf } from '../../../handlers/supplies/staff-queries.js';
import { askStillNeeded } from '../../../handlers/supplies/still-needed.js';
import { inboundDeps } from '../../../bot/conversation.js';
import { tellDeps } from '../../../bot/messenger.js';
import { createTestRuntime, seedPlaces, serveApp, type TestRuntime } from '../../support/runtime.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { registerThroughChat, requestSuppliesToday, residentPlayer } from '../../support/resident-player.js';

/** Real time plus an offset a test moves (days back, for earlier reports). */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const DAY_MS = 86_400_000;

let t: TestRuntime;
let mock: MockWechatApi;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;

beforeAll(async () => {
  mock = await startMockWechatApi({ port: 0 });
  t = await createTestRuntime({ dbPrefix: 'account', clock, env: { WECHAT_API_BASE: mock.url } });
  await seedPlaces(t.rt.models);
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
});

afterAll(async () => {
  await http?.close();
  await t?.close();
  await mock?.close();
});

const player = (openid: string) => residentPlayer(wx, openid, { nowS: () => Math.floor(clock.now().getTime() / 1000) });
const resident = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();
const session = async (openid: string) => JSON.parse((await t.rt.redis.get(`wx:session:wechat:${openid}`)) ?? 'null');
const today = () => localDate(clock.now(), 'Asia/Shanghai');
const reportOn = (openid: string, date: string) =>
  t.rt.models.HealthReport.findById(healthReportIdFor(String(residentIdFor('wechat', openid)), date)).lean<HealthReport>();

describe('choices', () => {
  it('a number outside the options is re-asked with the range, and the question stays', async () => {
    const r = await registerThroughChat(player('oRange'));
    expect(await r.say('物资求助')).toContain('需要哪类物资');
    const again = await r.say('9');
    expect(again).toContain('请回复选项前的数字（1–');
    expect(again).toContain('需要哪类物资');
    expect((await session('oRange'))?.step).toBe('category');
    expect(await r.say('0')).toContain('请回复选项前的数字');
    expect(await r.say('1')).not.toContain('请回复选项前的数字');
  });
});

describe('my account', () => {
  it('“我的” shows the registration; a household size change is saved; the MY_ACCOUNT click switches the language', async () => {
    const r = await registerThroughChat(player('oAccount'));
    const shown = await r.say('我的');
    expect(shown).toMatch(/您的登记信息[\s\S]*房号：2单元301室[\s\S]*家庭人数：2[\s\S]*1 修改登记信息/);
    expect(await r.say('1')).toContain('请核对登记信息');
    expect(await r.say('2')).toContain('要修改哪一项');
    expect(await r.say('4')).toContain('家里一共住几个人');
    expect(await r.say('4')).toContain('家庭人数：4');
    expect(await r.say('1')).toContain('登记完成');
    expect((await resident('oAccount'))?.registration).toMatchObject({ communityCode: 'c1', buildingCode: 'b1', householdSize: 4 });
    expect(await r.click('MY_ACCOUNT')).toMatch(/您的登记信息[\s\S]*家庭人数：4/);
    expect(await r.say('2')).toContain('Switched to English');
    expect((await resident('oAccount'))?.language).toBe('en');
    expect(await r.click('MY_ACCOUNT')).toMatch(/Your registration[\s\S]*Household size: 4/);
  });
});

describe('a community poster', () => {
  it('c:<community> pre-fills the community: the building is asked next, and the registration stored', async () => {
    const r = player('oCommunityPoster');
    const welcome = await r.subscribe('c:c1');
    expect(welcome).toContain('您住在Community 1的哪一栋楼');
    expect(welcome).not.toContain('您住在哪个社区');
    await r.say('2'); // building b2
    await r.say('5-502');
    await r.say('1');
    await r.say('无');
    await r.say('跳过');
    expect(await r.say('1')).toContain('登记完成');
    expect(await resident('oCommunityPoster')).toMatchObject({
      registration: { communityCode: 'c1', buildingCode: 'b2', unit: '5', room: '502', householdSize: 1 },
      subscribeScene: 'c:c1',
    });
  });
});

describe('health report on later days', () => {
  /** One report through the webhook on the day `daysAgo` before today (the clock moved back). */
  async function reportDaysAgo(openid: string, daysAgo: number, first: boolean): Promise<string> {
    offsetMs = -daysAgo * DAY_MS;
    const r = player(openid);
    if (first) {
      expect(await r.say('1')).toContain('请回复今天的体温');
      await r.say('36.5');
      await r.say('无');
      await r.say('阴性');
      await r.say('否');
    } else {
      expect(await r.say('同昨天')).toContain('其他情况按昨天的填写');
      expect(await r.say('36.5')).toContain('请核对今天的上报');
    }
    return r.say('1');
  }

  it('“同昨天” the next day keeps yesterday’s answers and stores the report marked reused', async () => {
    await registerThroughChat(player('oSame'));
    try {
      expect(await reportDaysAgo('oSame', 1, true)).toContain('已收到您今天的健康上报');
      offsetMs = 0;
      const r = player('oSame');
      expect(await r.say('同昨天')).toContain('其他情况按昨天的填写');
      expect(await r.say('37.4')).toMatch(/体温：37.4℃[\s\S]*症状：无[\s\S]*今日检测：阴性/);
      expect(await r.say('1')).toContain('已收到您今天的健康上报');
    } finally {
      offsetMs = 0;
    }
    expect(await reportOn('oSame', today())).toMatchObject({ temperatureC: 37.4, symptoms: [], test: 'negative', contact: false, reusedYesterday: true });
    expect(await reportOn('oSame', shiftDate(today(), -1))).toMatchObject({ reusedYesterday: false });
  });

  it(`the same answers at the same time of day ${AUTOMATION_DAYS} days running flag the last report as a scripted check-in`, async () => {
    await registerThroughChat(player('oScript'));
    // A person who reported the same three days running, at their usual minute, is not flagged.
    await registerThroughChat(player('oThreeDays'));
    try {
      for (let ago = AUTOMATION_DAYS - 1; ago >= 0; ago--) {
        expect(await reportDaysAgo('oScript', ago, ago === AUTOMATION_DAYS - 1)).toContain('已收到您今天的健康上报');
        if (ago < AUTOMATION_DAYS - 1) expect(await reportDaysAgo('oThreeDays', ago, ago === AUTOMATION_DAYS - 2)).toContain('已收到');
      }
    } finally {
      offsetMs = 0;
    }
    const days = Array.from({ length: AUTOMATION_DAYS }, (_, i) => shiftDate(today(), -i));
    const script = await Promise.all(days.map((d) => reportOn('oScript', d)));
    expect(script.map((x) => x?.suspectedAutomation)).toEqual([true, ...Array(AUTOMATION_DAYS - 1).fill(false)]);
    expect((await reportOn('oThreeDays', today()))?.suspectedAutomation).toBe(false);
  });
});

describe('a request still open past its urgency window', () => {
  it('“需要” keeps it open, records stillNeededAt and moves it up the staff list', async () => {
    const r = await registerThroughChat(player('oStillNeeded'));
    await requestSuppliesToday(r);
    const c = inboundDeps(t.rt);
    const deps = { ...tellDeps(t.rt), conversations: c.conversations, translate: c.translate, owner: c.owner };
    try {
      offsetMs = 25 * 3600_000;
      expect((await askStillNeeded(deps)).asked).toHaveLength(1);
      const before = await t.rt.models.SupplyRequest.findOne({ residentId: residentIdFor('wechat', 'oStillNeeded') }).lean<SupplyRequest>();
      expect(before?.stillNeededAt).toBeNull();
      expect(await r.say('需要')).toContain('会优先处理');
      const after = await t.rt.models.SupplyRequest.findOne({ residentId: residentIdFor('wechat', 'oStillNeeded') }).lean<SupplyRequest>();
      expect(after).toMatchObject({ status: 'submitted', stillNeededAt: clockNear(clock.now()) });
      expect(priorityOf(after!, clock.now())! - priorityOf(before!, clock.now())!).toBe(STILL_NEEDED_BONUS);
      expect(await session('oStillNeeded')).toBeNull();
    } finally {
      offsetMs = 0;
    }
  });

  it('a question that could not be sent leaves the conversation as it was and is asked next run; an unsubscribed resident is not asked', async () => {
    const submit = async (openid: string) => {
      await requestSuppliesToday(await registerThroughChat(player(openid)));
      return (await t.rt.models.SupplyRequest.findOne({ residentId: residentIdFor('wechat', openid) }).lean<SupplyRequest>())!;
    };
    const failing = await submit('oAskFails');
    const gone = await submit('oAskGone');
    await t.rt.models.Resident.updateOne({ _id: residentIdFor('wechat', 'oAskGone') }, { $set: { subscribed: false } });
    const c = inboundDeps(t.rt);
    const deps = { ...tellDeps(t.rt), conversations: c.conversations, translate: c.translate, owner: c.owner };
    try {
      offsetMs = 25 * 3600_000;
      mock.setFault('custom_send', { errcode: -1, openids: ['oAskFails'] });
      const first = await askStillNeeded(deps);
      expect(first).toMatchObject({ asked: [], failed: [failing.ticket], unreachable: [gone.ticket] });
      expect(await session('oAskFails')).toBeNull(); // no question open: the next message is not taken as an answer
      expect(await t.rt.models.SupplyRequest.findById(failing._id).lean<SupplyRequest>()).toMatchObject({ stillNeededAskedAt: null });
      mock.setFault('custom_send', null);
      const second = await askStillNeeded(deps);
      expect(second).toMatchObject({ asked: [failing.ticket], failed: [], unreachable: [gone.ticket] });
      expect(await session('oAskFails')).toMatchObject({ flow: 'still-needed', step: 'needed' });
      expect(await session('oAskGone')).toBeNull();
    } finally {
      offsetMs = 0;
      mock.setFault('custom_send', null);
    }
  });
});

/** A date within the last minute before `to` (the answer's own time). */
const clockNear = (to: Date) => expect.toSatisfy((d: unknown) => d instanceof Date && to.getTime() - d.getTime() >= 0 && to.getTime() - d.getTime() < 60_000);
