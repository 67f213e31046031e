/**
 * Residents talking to the real webhook (plain mode, real Redis and FerretDB, the mock WeChat API
 * for the WeCom alert): registration, the daily health report and a supply request in zh-CN and
 * en, what is stored, and what the conversation does under the things people do — bad answers,
 * cancel/back/help/menu, idling, two messages at once, WeChat's retries, a language switch, and a
 * deploy that changed the flow they were in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { alertNotifyWorker } from '../../../bot/workers/alert-notify.js';
import { startMockWechatApi, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { localDate } from '../../../flows/engine/time.js';
import { healthReportIdFor } from '../../../models/health-report.js';
import { residentIdFor } from '../../../models/resident.js';
import type { HealthReport } from '../../../models/health-report.js';
import type { SupplyRequest } from '../../../models/supply-request.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { answerText, registerThroughChat, requestSuppliesToday, residentPlayer } from '../../support/resident-player.js';
import { waitFor } from '../../support/wait-for.js';

/** Real time plus an offset the idle test moves forward. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let t: TestRuntime;
let mock: MockWechatApi;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;
let alertWorker: Worker;

beforeAll(async () => {
  mock = await startMockWechatApi({ port: 0 });
  t = await createTestRuntime({ dbPrefix: 'conversations', clock, env: { ...WECOM_TEST_ENV, WECHAT_API_BASE: mock.url, WECOM_API_BASE: mock.url } });
  await seedPlaces(t.rt.models);
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
  alertWorker = alertNotifyWorker(t.rt);
});

afterAll(async () => {
  await alertWorker?.close();
  await http?.close();
  await t?.close();
  await mock?.close();
});

const player = (openid: string) => residentPlayer(wx, openid, { nowS: () => Math.floor(clock.now().getTime() / 1000) });
const resident = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();
const session = async (openid: string) => JSON.parse((await t.rt.redis.get(`wx:session:wechat:${openid}`)) ?? 'null');
const today = () => localDate(clock.now(), 'Asia/Shanghai');

/** Register through the chat (see `registerThroughChat`). */
const registered = (openid: string, language: 'zh-CN' | 'en' = 'zh-CN') => registerThroughChat(player(openid), language);

describe('registration', () => {
  it('a building poster pre-fills community and building; the rest is asked and stored with the vulnerable flag', async () => {
    const r = player('oReg1');
    const welcome = await r.subscribe('b:c1:b2');
    expect(welcome).toContain('欢迎关注邻里');
    expect(welcome).toContain('请回复单元和房号'); // community and building came from the poster
    expect(await r.say('3单元1201')).toContain('几个人');
    expect(await r.say('三口人')).toContain('特别关照');
    expect(await r.say('2、5')).toContain('手机号');
    expect(await r.say('138 0013 8000')).toContain('请核对登记信息');
    expect(await r.say('1')).toContain('登记完成');
    expect(await resident('oReg1')).toMatchObject({
      registration: { communityCode: 'c1', buildingCode: 'b2', unit: '3', room: '1201', householdSize: 3 },
      mobile: '+8613800138000',
      isVulnerable: true,
      vulnerable: { chronicIllness: true, infant: true, elderlyAlone: false },
      subscribeScene: 'b:c1:b2',
    });
    expect(await session('oReg1')).toBeNull(); // the finished flow leaves no session behind
  });

  it('an unregistered resident asking for a service is registered first, then the service starts', async () => {
    const r = player('oReg2');
    const first = await r.say('1');
    expect(first).toContain('请先完成住户登记');
    expect(first).toContain('您住在哪个社区');
    await r.say('1'); // community c1
    await r.say('1'); // building b1
    await r.say('402');
    await r.say('1');
    await r.say('无');
    await r.say('跳过');
    expect(await r.say('1')).toMatch(/登记完成[\s\S]*请回复今天的体温/);
  });
});

describe('daily health report', () => {
  it('zh-CN: a red report is stored, alerts the building staff through WeCom within seconds, and the resident gets guidance', async () => {
    const staff = await staffAccount(t.rt.models, { role: 'committee', community: 'c1' });
    await t.rt.models.StaffUser.updateOne({ _id: staff.id }, { $set: { wecomUserId: 'wang.committee' } });
    const other = await staffAccount(t.rt.models, { role: 'committee', community: 'c2' });
    await t.rt.models.StaffUser.updateOne({ _id: other.id }, { $set: { wecomUserId: 'li.elsewhere' } });
    const r = await registered('oRed');
    expect(await r.say('健康上报')).toContain('请回复今天的体温');
    expect(await r.say('三十八度六')).toContain('症状');
    expect(await r.say('1')).toContain('检测结果');
    expect(await r.say('抗原阳性')).toContain('7 天内');
    expect(await r.say('否')).toContain('体温：38.6℃');
    const done = await r.say('1');
    expect(done).toContain('红色');
    expect(done).toContain('120');
    const report = await t.rt.models.HealthReport.findById(healthReportIdFor(String(residentIdFor('wechat', 'oRed')), today())).lean<HealthReport>();
    expect(report).toMatchObject({
      temperatureC: 38.6,
      symptoms: ['cough'],
      test: 'antigen_positive',
      contact: false,
      risk: 'red',
      buildingCode: 'b1',
      revision: 1,
    });
    const sends = await waitFor('the WeCom alert', () => {
      const calls = mock.calls().filter((c) => c.endpoint === 'wecom_send');
      return calls.length ? calls : null;
    });
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body).toMatchObject({ touser: 'wang.committee', msgtype: 'text' });
    expect(JSON.stringify(sends[0]!.body)).toContain('红色');
    const alerts = await t.rt.models.Alert.find({ residentId: residentIdFor('wechat', 'oRed') }).lean();
    expect(alerts).toMatchObject([{ level: 'red', notifiedUsers: ['wang.committee'] }]);
  });

  it('en: a second report the same day replaces the first (history kept) and adds no second alert of the same level', async () => {
    const r = await registered('oTwice', 'en');
    for (const temp of ['37.5', '37.8']) {
      expect(await r.say('health report')).toContain("today's temperature");
      await r.say(temp);
      await r.say('none');
      await r.say('negative');
      await r.say('no');
      expect(await r.say('yes')).toContain('yellow');
    }
    const id = healthReportIdFor(String(residentIdFor('wechat', 'oTwice')), today());
    expect(await t.rt.models.HealthReport.findById(id).lean()).toMatchObject({ temperatureC: 37.8, revision: 2, risk: 'yellow' });
    expect(await t.rt.models.HealthReportRevision.find({ reportId: id }).lean()).toMatchObject([{ temperatureC: 37.5 }]);
    expect(await t.rt.models.Alert.countDocuments({ residentId: residentIdFor('wechat', 'oTwice') })).toBe(1);
  });

  it('every validation branch of the temperature is re-asked with a hint, never an error; three misses record an escalation', async () => {
    const r = await registered('oBadTemp');
    await r.say('1');
    expect(await r.say('50')).toContain('34–43℃');
    expect(await r.say('-3')).toContain('34–43℃');
    const third = await r.say('hot');
    expect(third).toContain('没看懂体温');
    expect(third).toContain('已通知社区工作人员');
    expect(await r.say('36.5.5')).toContain('没看懂体温');
    expect(await r.say('97.7F')).toContain('症状');
    expect(await t.rt.models.Escalation.find({ residentId: residentIdFor('wechat', 'oBadTemp') }).lean()).toMatchObject([
      { reason: 'misses', flow: 'health-report', step: 'temperature', lastInput: 'hot', status: 'open', communityCode: 'c1', buildingCode: 'b1' },
    ]);
  });
});

describe('supply request', () => {
  it('en: a request gets a ticket S-YYYYMMDD-NNNN; a second one of the same category updates it', async () => {
    const r = await registered('oSupplies', 'en');
    await r.say('supplies');
    await r.say('medicine');
    await r.say('blood pressure pills, 1 box');
    await r.say('today');
    expect(await r.say('yes')).toContain('Please check your request');
    const done = await r.say('1');
    const ticket = /S-\d{8}-\d{4}/.exec(done)?.[0];
    expect(ticket).toBe(`S-${today().replaceAll('-', '')}-0001`);
    await r.say('2');
    await r.say('2');
    expect(await r.say('pills, 2 boxes; a thermometer')).toContain('When do you need it');
    await r.say('2');
    await r.say('yes');
    expect(await r.say('1')).toContain(`${ticket} is updated`);
    const all = await t.rt.models.SupplyRequest.find({ residentId: residentIdFor('wechat', 'oSupplies') }).lean<SupplyRequest[]>();
    expect(all).toMatchObject([
      { ticket, category: 'medicine', items: 'pills, 2 boxes; a thermometer', urgency: 'three_days', status: 'submitted', vulnerable: ['elderlyAlone'] },
    ]);
    expect(await r.say('my requests')).toContain(`${ticket}`);
  });

  it('bad input — 10,000 characters, emoji only, empty text, an image, a voice without text — gets a sensible answer', async () => {
    const r = await registered('oNoise');
    await r.say('物资求助');
    await r.say('1');
    expect(await r.say('帮'.repeat(10_000))).toContain('内容太长了');
    expect(await r.say('🍚🍚🍚')).toContain('请用文字');
    expect(await r.say('')).toContain('请用文字');
    expect(await r.image()).toContain('看不了图片');
    expect(await r.voice()).toContain('没听清');
    expect(await r.voice('大米五斤')).toContain('什么时候需要');
  });
});

describe('anywhere in a flow', () => {
  it('cancel, back, help and menu; a language switch re-asks the open question in the new language', async () => {
    const r = await registered('oDigress');
    await r.say('2');
    expect(await r.say('帮助')).toContain('药品和婴幼儿用品会优先处理');
    await r.say('1');
    expect(await r.say('返回')).toMatch(/您之前的回答：食品[\s\S]*需要哪类物资/);
    expect(await r.say('English')).toMatch(/Switched to English\.[\s\S]*What kind of supplies/);
    expect(await r.say('menu')).toMatch(/You left "Supplies"[\s\S]*Reply with a number/);
    await r.say('2');
    expect(await r.say('cancel')).toContain('nothing was saved');
    expect(await session('oDigress')).toBeNull();
    expect((await resident('oDigress'))?.language).toBe('en');
  });

  it('idle for more than 30 minutes: the next message offers to continue or start again', async () => {
    const r = await registered('oIdle');
    await r.say('1');
    await r.say('36.6');
    offsetMs += 31 * 60_000;
    expect(await r.say('无')).toContain('还没填完');
    expect(await r.say('1')).toContain('今天有以下症状吗');
    expect(await r.say('无')).toContain('检测结果');
  });

  it('two answers sent at the same moment are handled one after the other; the session stays whole', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await registered(`oTwo${i}`);
      await r.say('1');
      const [a, b] = (await Promise.all([r.push({ type: 'text', content: '36.6' }), r.push({ type: 'text', content: '无' })])).map(answerText);
      const s = await session(`oTwo${i}`);
      // Serialised, there are two valid conversations. Run on one stale session, "36.6" would be
      // taken as the temperature while "无" was also read as a (bad) temperature: neither order.
      if (b!.includes('检测结果')) {
        expect(a).toContain('今天有以下症状吗'); // 36.6 first, then 无 answered the symptoms
        expect(s).toMatchObject({ step: 'test', answers: { temperature: 36.6, symptoms: [] } });
      } else {
        expect(b).toContain('没看懂体温'); // 无 first (a bad temperature), then 36.6
        expect(a).toContain('今天有以下症状吗');
        expect(s).toMatchObject({ step: 'symptoms', answers: { temperature: 36.6 }, misses: 0 });
      }
    }
  });

  it("WeChat's retry of an answer gets the identical next question, not a validation error", async () => {
    const r = await registered('oRetry');
    await r.say('1');
    const msgId = '7700000000000000001';
    const first = answerText(await r.push({ type: 'text', content: '36.6' }, { msgId }));
    const retry = answerText(await r.push({ type: 'text', content: '36.6' }, { msgId }));
    expect(first).toContain('今天有以下症状吗');
    expect(retry).toBe(first);
    expect((await session('oRetry'))?.step).toBe('symptoms');
  });

  it('a deploy that changed the flow under a resident: a vanished step restarts the form with a word of explanation', async () => {
    const r = await registered('oDeploy');
    await r.say('1');
    await r.say('36.6');
    const key = 'wx:session:wechat:oDeploy';
    const s = await session('oDeploy');
    await t.rt.redis.set(key, JSON.stringify({ ...s, flowVersion: 0, step: 'a-step-that-no-longer-exists' }));
    expect(await r.say('无')).toMatch(/内容刚刚更新过，需要从头填写[\s\S]*请回复今天的体温/);
    await t.rt.redis.set(key, JSON.stringify({ ...(await session('oDeploy')), flow: 'a-flow-that-was-removed' }));
    expect(await r.say('36.6')).toMatch(/这项服务已调整[\s\S]*请回复数字选择服务/);
  });
});

describe('a request still open past its urgency window', () => {
  it('asks the resident once whether it is still needed; "否" cancels it, and a resident mid-form is asked later', async () => {
    const { askStillNeeded } = await import('../../../handlers/supplies/still-needed.js');
    const { inboundDeps } = await import('../../../bot/conversation.js');
    const { tellDeps } = await import('../../../bot/messenger.js');
    const c = inboundDeps(t.rt);
    const deps = { ...tellDeps(t.rt), conversations: c.conversations, translate: c.translate, owner: c.owner };
    const r = await registered('oOverdue');
    const busy = await registered('oOverdueBusy');
    for (const p of [r, busy]) await requestSuppliesToday(p);
    await busy.say('1'); // in the middle of a health report
    expect((await askStillNeeded(deps)).asked).toEqual([]); // not overdue yet
    offsetMs += 25 * 3600_000;
    mock.clearCalls();
    const run = await askStillNeeded(deps);
    expect(run.asked).toHaveLength(1);
    expect(run.deferred).toHaveLength(1);
    const kf = mock.calls().filter((x) => x.endpoint === 'custom_send');
    expect(kf).toHaveLength(1);
    expect(JSON.stringify(kf[0]!.body)).toContain('还需要吗');
    expect((await askStillNeeded(deps)).asked).toEqual([]); // asked once only
    expect(await r.say('否')).toContain('已取消');
    const q = await t.rt.models.SupplyRequest.findOne({ residentId: residentIdFor('wechat', 'oOverdue') }).lean<SupplyRequest>();
    expect(q).toMatchObject({ status: 'cancelled', reason: 'resident: no longer needed' });
    await busy.say('取消');
    expect((await askStillNeeded(deps)).asked).toHaveLength(1); // free now
  });
});
