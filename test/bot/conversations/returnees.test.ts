/**
 * Returnees through the real webhook and staff API: risk areas managed with an audit entry per
 * change (the chain verifies), `返回登记`/`I'm back` in zh-CN and en followed by the health report,
 * a return from a risk area starting the observation, the observation job's twice-daily reminders,
 * the missed-report alert to the building's health staff (and nobody else), the last-day message,
 * and the observation ending on its own — in the staff list too; then non-default observation
 * settings (days, reminder times, missed-report time) followed throughout and named in the message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundJobs } from '../../../bot/conversation.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { placeDirectory } from '../../../handlers/places/directory.js';
import { runObservation, type ObservationDeps } from '../../../handlers/returnees/observation.js';
import { verifyAuditChains } from '../../../handlers/audit/verify.js';
import { observationIdFor, type Observation, type Returnee } from '../../../models/returnee.js';
import { residentIdFor } from '../../../models/resident.js';
import { crisisWorld, registerInChat, type CrisisWorld } from '../../support/crisis-world.js';
import { waitFor } from '../../support/wait-for.js';

let w: CrisisWorld;
let committee: string;
let deps: ObservationDeps;

beforeAll(async () => {
  w = await crisisWorld('returnees');
  w.at('2026-12-02', '10:00');
  committee = await w.staff('committee', { community: 'c1' }, 'wang.committee');
  await w.staff('social_org', { community: 'c1' }, 'doctor.chen');
  await w.staff('property', { community: 'c1' }, 'li.gatekeeper'); // keeps gates, not health: never told
  await w.staff('committee', { community: 'c1', building: 'b2' }, 'b2.only'); // another building
  deps = {
    models: w.t.rt.models,
    places: placeDirectory(w.t.rt.models, w.clock),
    bulk: queueBulkMessages(w.t.rt.redis, w.t.rt.queues.bulkMessages),
    clock: w.clock,
    notifyAlert: inboundJobs(w.t.rt.queues).notifyAlert,
  };
});
afterAll(async () => {
  await w?.close();
});

const observation = (openid: string) => w.t.rt.models.Observation.findById(observationIdFor(String(residentIdFor('wechat', openid)))).lean<Observation>();
const remindersTo = (openid: string) =>
  w.sentTo(openid).filter((t) => t.includes('居家观察') || t.includes('Home observation') || t.includes('home observation'));

describe('risk areas', () => {
  it('are managed through the API, each change an audit entry of one hash chain that verifies', async () => {
    const add = await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: '上海/Shanghai' });
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ riskAreas: ['上海/Shanghai'], version: 1 });
    expect((await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: ' 上海/shanghai ' })).body.version).toBe(1); // the same area: no change
    await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: '吉林省长春市' });
    const removed = await w.api('DELETE', `/api/communities/c1/risk-areas/${encodeURIComponent('吉林省长春市')}`, committee);
    expect(removed.body).toMatchObject({ riskAreas: ['上海/Shanghai'], version: 3 });
    expect(removed.body.audit.map((e: { action: string }) => e.action)).toEqual(['add_risk_area', 'add_risk_area', 'remove_risk_area']);
    expect(removed.body.audit[2]).toMatchObject({ diff: { riskAreas: { from: ['上海/Shanghai', '吉林省长春市'], to: ['上海/Shanghai'] } } });
    expect((await w.api('DELETE', '/api/communities/c1/risk-areas/nowhere', committee)).status).toBe(404);
    expect((await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: '  ' })).body).toMatchObject({
      error: 'invalid_input',
      details: { field: 'area' },
    });
    const report = await verifyAuditChains(w.t.rt.models, {});
    expect(report.problems).toEqual([]);
    expect(report.chains).toBe(1);
    expect(report.entries).toBe(3);
  });
});

describe('returning residents', () => {
  it('zh-CN: from a risk area — the observation starts (counted from arrival) and the health report follows', async () => {
    const a = await registerInChat(w.player('oBackA'));
    expect(await a.say('返回登记')).toContain('您从哪里回来');
    await a.say('上海浦东');
    await a.say('昨天');
    await a.say('高铁');
    const saved = await a.say('1');
    expect(saved).toMatch(/返回登记已提交。\n您从风险地区（上海）返回，需要居家观察 7 天，到 12月7日 结束[\s\S]*请回复今天的体温/);
    await a.say('36.6');
    await a.say('无');
    await a.say('1');
    await a.say('否');
    expect(await a.say('1')).toContain('已收到您今天的健康上报');
    expect(await w.t.rt.models.Returnee.find({ residentId: residentIdFor('wechat', 'oBackA') }).lean<Returnee[]>()).toMatchObject([
      {
        from: '上海浦东',
        arrivalDate: '2026-12-01',
        transport: 'train',
        riskArea: '上海/Shanghai',
        observation: { startDate: '2026-12-01', endDate: '2026-12-07' },
      },
    ]);
    expect(await observation('oBackA')).toMatchObject({ startDate: '2026-12-01', endDate: '2026-12-07', days: 7, buildingCode: 'b1' });
  });

  it('en: "I\'m back" from Shanghai today; a return from elsewhere starts nothing', async () => {
    const b = await registerInChat(w.player('oBackB'), { room: '4-401', language: 'en' });
    expect(await b.say("I'm back")).toContain('Where are you coming back from?');
    await b.say('Shanghai');
    expect(await b.say('tomorrow')).toContain("couldn't read that date");
    await b.say('today');
    await b.say('plane');
    expect(await b.say('yes')).toMatch(/risk area \(Shanghai\)[\s\S]*until 8 Dec[\s\S]*today's temperature/);
    await b.say('cancel');
    const c = await registerInChat(w.player('oBackC'), { room: '5-501' });
    await c.click('RETURNEE');
    await c.say('湖北武汉');
    await c.say('11月20日');
    await c.say('自驾');
    expect(await c.say('1')).toContain('无需居家观察');
    await c.say('取消');
    expect(await observation('oBackC')).toBeNull();
  });

  it('staff see who is under observation: day N of M and whether today’s report is in; every return with status=all', async () => {
    const res = await w.api('GET', '/api/returnees?community=c1', committee);
    expect(res.status).toBe(200);
    expect(res.body.observing).toEqual([
      expect.objectContaining({ room: '301', from: '上海浦东', day: 2, days: 7, endDate: '2026-12-07', today: { reported: true, risk: 'green' } }),
      expect.objectContaining({ room: '401', from: 'Shanghai', day: 1, days: 7, endDate: '2026-12-08', today: { reported: false, risk: null } }),
    ]);
    expect((await w.api('GET', '/api/returnees?community=c1&status=all', committee)).body.returnees).toHaveLength(3);
    expect((await w.api('GET', '/api/returnees?community=c1', await w.staff('property', { community: 'c1' }))).body.error).toBe('forbidden_role');
    expect(
      (await w.api('GET', '/api/returnees?community=c1&building=b2', await w.staff('social_org', { community: 'c1', building: 'b2' }))).body.observing,
    ).toEqual([]);
  });
});

describe('the observation job', () => {
  it('reminds those who have not reported at each reminder time (twice a day), once each', async () => {
    w.at('2026-12-02', '10:05');
    expect((await runObservation(deps))[0]).toMatchObject({ community: 'c1', reminded: 1, alerts: 0 }); // the 09:00 reminder, to B only
    await waitFor('the morning reminder', async () => remindersTo('oBackB').length === 1);
    expect(remindersTo('oBackA')).toEqual([]);
    expect((await runObservation(deps))[0]).toMatchObject({ reminded: 0 });
    w.at('2026-12-02', '18:05');
    expect((await runObservation(deps))[0]).toMatchObject({ reminded: 1 });
    await waitFor('the evening reminder', async () => remindersTo('oBackB').length === 2);
    expect(remindersTo('oBackB')[1]).toContain("haven't sent today's health report");
  });

  it('a day without a report by the missed time alerts the building’s health staff through WeCom, once', async () => {
    w.at('2026-12-02', '21:01');
    expect((await runObservation(deps))[0]).toMatchObject({ alerts: 1 });
    const sends = await waitFor('the missed-report alert', async () => {
      const m = w.wecomTexts().filter((x) => x.text.includes('居家观察提醒'));
      return m.length ? m : null;
    });
    expect(sends).toHaveLength(1);
    expect(sends[0]!.to.split('|').sort()).toEqual(['doctor.chen', 'wang.committee']);
    expect(sends[0]!.text).toBe(
      '[居家观察提醒] Community 1 Building 1 4-401 的居家观察人员（从Shanghai返回，第 1/7 天）2026-12-02 未完成健康上报，请尽快联系。',
    );
    expect((await runObservation(deps))[0]).toMatchObject({ alerts: 0 });
    expect(await w.t.rt.models.Alert.find({ kind: 'observation' }).lean()).toMatchObject([
      { residentId: residentIdFor('wechat', 'oBackB'), date: '2026-12-02', notifiedUsers: expect.any(Array) },
    ]);
  });

  it('on the last day the resident is told it ends; afterwards the observation is over on its own', async () => {
    const a = w.player('oBackA');
    w.at('2026-12-07', '09:01');
    await a.say('1'); // today's report, so no reminder is due: only the last-day message
    await a.say('36.5');
    await a.say('1'); // the rest as last time
    expect(await a.say('1')).toContain('已收到您今天的健康上报');
    expect((await runObservation(deps))[0]).toMatchObject({ lastDay: 1, reminded: 1 }); // B, still observed, has not reported
    await waitFor('the last-day message', async () => w.sentTo('oBackA').some((t) => t.includes('最后一天')));
    expect(w.sentTo('oBackA').filter((t) => t.includes('还没有健康上报'))).toEqual([]);
    expect((await runObservation(deps))[0]).toMatchObject({ lastDay: 0 });
    w.at('2026-12-08', '09:01');
    const list = (await w.api('GET', '/api/returnees?community=c1', committee)).body.observing;
    expect(list).toEqual([expect.objectContaining({ room: '401', day: 7, days: 7 })]);
    w.at('2026-12-09', '09:01');
    expect((await w.api('GET', '/api/returnees?community=c1', committee)).body.observing).toEqual([]);
    const run = await runObservation(deps);
    expect(run.find((r) => r.community === 'c1') ?? { reminded: 0 }).toMatchObject({ reminded: 0 });
  });
});

describe('observation settings of the community', () => {
  it('3 days, one reminder at 12:00, missed at 20:00: the end date, the message, the reminders and the alert follow them', async () => {
    w.at('2026-12-10', '10:00');
    const set = await w.api('PATCH', '/api/communities/c1/rules', committee, { observation: { days: 3, remindAt: ['12:00'], missedAt: '20:00' } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.observation).toEqual({ days: 3, remindAt: ['12:00'], missedAt: '20:00' });
    const d = await registerInChat(w.player('oBackD'), { room: '6-601' });
    await d.say('返回登记');
    await d.say('上海浦东');
    await d.say('今天');
    await d.say('高铁');
    expect(await d.say('1')).toContain(
      '需要居家观察 3 天，到 12月12日 结束。观察期内请每天完成健康上报，不要外出；当天还没上报的话，我们会在每天 12:00 提醒您。',
    );
    await d.say('取消');
    expect(await observation('oBackD')).toMatchObject({ startDate: '2026-12-10', endDate: '2026-12-12', days: 3 });
    expect((await w.api('GET', '/api/returnees?community=c1', committee)).body.observing).toEqual([
      expect.objectContaining({ room: '601', day: 1, days: 3, endDate: '2026-12-12' }),
    ]);

    w.at('2026-12-10', '10:05'); // past the default 09:00: no reminder
    expect((await runObservation(deps))[0]).toMatchObject({ community: 'c1', reminded: 0, alerts: 0 });
    w.at('2026-12-10', '12:01');
    expect((await runObservation(deps))[0]).toMatchObject({ reminded: 1 });
    await waitFor('the 12:00 reminder', async () => remindersTo('oBackD').length === 1);
    w.at('2026-12-10', '18:05'); // past the default 18:00: no second reminder
    expect((await runObservation(deps))[0]).toMatchObject({ reminded: 0, alerts: 0 });
    w.at('2026-12-10', '19:59');
    expect((await runObservation(deps))[0]).toMatchObject({ alerts: 0 });
    w.at('2026-12-10', '20:01'); // before the default 21:00
    expect((await runObservation(deps))[0]).toMatchObject({ alerts: 1 });
    const [alert] = await waitFor('the 20:00 missed-report alert', async () => {
      const m = w.wecomTexts().filter((x) => x.text.includes('Building 1 6-601'));
      return m.length ? m : null;
    });
    expect(alert!.text).toContain('第 1/3 天）2026-12-10 未完成健康上报');
    expect(remindersTo('oBackD')).toHaveLength(1);

    w.at('2026-12-12', '12:01');
    expect((await runObservation(deps))[0]).toMatchObject({ lastDay: 1 });
    w.at('2026-12-13', '12:01');
    expect((await w.api('GET', '/api/returnees?community=c1', committee)).body.observing).toEqual([]);
  });

  it('en: three reminder times (given out of order, one twice) are kept in order once each and named in the message', async () => {
    const set = await w.api('PATCH', '/api/communities/c1/rules', committee, { observation: { remindAt: ['18:00', '09:00', '12:00', '09:00'] } });
    expect(set.body.observation).toEqual({ days: 3, remindAt: ['09:00', '12:00', '18:00'], missedAt: '20:00' });
    const e = await registerInChat(w.player('oBackE'), { room: '6-602', language: 'en' });
    await e.say("I'm back");
    await e.say('Shanghai');
    await e.say('today');
    await e.say('plane');
    expect(await e.say('yes')).toContain(
      "stay home under observation for 3 days, until 15 Dec. During it, send your health report every day and do not go out; if you haven't reported yet, we'll remind you at 09:00, 12:00, 18:00 each day.",
    );
    await e.say('cancel');
  });
});
