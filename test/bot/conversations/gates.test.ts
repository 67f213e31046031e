/**
 * Gates through the real webhook and staff API: staff define a gate (a permanent QR scene from the
 * mock WeChat API, the poster's PNG), residents scan it and get passes both ways (SCAN, and a
 * first-time follow through the poster as a visitor), staff read the log and who is out — scoped,
 * a building's property account sees its own gate — and each closed-management rule refuses with
 * its reason and alerts the gate keepers through WeCom, in zh-CN and en; home observation holds
 * without closed management too, and a visitor leaving after hours is let out with an alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatePresence, GateRecord } from '../../../models/gate.js';
import { residentIdFor } from '../../../models/resident.js';
import { CODE_ALPHABET } from '../../../handlers/gates/pass-code.js';
import { crisisWorld, registerInChat, type CrisisWorld } from '../../support/crisis-world.js';
import { answerText } from '../../support/resident-player.js';
import { waitFor } from '../../support/wait-for.js';

let w: CrisisWorld;
let committee: string;
let property: string;
let propertyB1: string;
let gate: string;

beforeAll(async () => {
  w = await crisisWorld('gates');
  w.at('2026-12-02', '08:00');
  committee = await w.staff('committee', { community: 'c1' }, 'wang.committee');
  property = await w.staff('property', { community: 'c1' }, 'li.gatekeeper');
  propertyB1 = await w.staff('property', { community: 'c1', building: 'b1' }, 'zhao.b1');
  await w.staff('committee', { community: 'c2' }, 'far.away');
});
afterAll(async () => {
  await w?.close();
});

const records = (openid: string) =>
  w.t.rt.models.GateRecord.find({ residentId: residentIdFor('wechat', openid) })
    .sort({ at: 1 })
    .lean<GateRecord[]>();
const presence = (openid: string) => w.t.rt.models.GatePresence.findById(residentIdFor('wechat', openid)).lean<GatePresence>();
const codeOf = (text: string) => /(?:通行码|Pass code)：?:? ?([A-Z0-9]{4})/.exec(text)?.[1];

/** WeCom texts containing `needle`, once at least `n` arrived. */
async function keeperAlerts(needle: string, n = 1) {
  return waitFor(`WeCom alert "${needle}"`, async () => {
    const found = w.wecomTexts().filter((m) => m.text.includes(needle));
    return found.length >= n ? found : null;
  });
}

describe('gates and their posters', () => {
  it('staff define a gate: a permanent QR scene from WeChat, and the poster PNG drawn from the ticket URL', async () => {
    const res = await w.api('POST', '/api/gates', committee, { community: 'c1', name: '南门' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    gate = res.body.id;
    expect(res.body).toMatchObject({ community: 'c1', building: null, name: '南门', scene: `g:${gate}`, qr: { ticket: expect.stringMatching(/^gQ/) } });
    const [create] = w.mock.calls().filter((c) => c.endpoint === 'qrcode_create');
    expect(create!.body).toEqual({ action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_str: `g:${gate}` } } });
    const png = await w.api('GET', `/api/gates/${gate}/qr.png`, property);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('x-qr-source')).toBe('local');
    expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('refuses a second gate of the same name, bad input, and a building account defining a community gate', async () => {
    expect((await w.api('POST', '/api/gates', committee, { community: 'c1', name: '南门' })).body.error).toBe('conflict_state');
    expect((await w.api('POST', '/api/gates', committee, { community: 'c1' })).body).toMatchObject({ error: 'invalid_input', details: { field: 'name' } });
    expect((await w.api('POST', '/api/gates', committee, { community: 'c1', name: 'x', building: 'b9' })).body).toMatchObject({
      details: { field: 'building' },
    });
    expect((await w.api('POST', '/api/gates', committee, { community: 'c1', name: 'x', gate: 1 })).status).toBe(400);
    expect((await w.api('POST', '/api/gates', propertyB1, { community: 'c1', name: '东门' })).body.error).toBe('forbidden_scope');
    const own = await w.api('POST', '/api/gates', propertyB1, { community: 'c1', building: 'b1', name: '1号楼门' });
    expect(own.status).toBe(201);
    const seen = await w.api('GET', '/api/gates?community=c1&building=b1', propertyB1);
    expect(seen.body.gates.map((g: { name: string }) => g.name)).toEqual(['1号楼门']);
    expect((await w.api('GET', '/api/gates?community=c1', propertyB1)).body.error).toBe('forbidden_scope');
    expect((await w.api('GET', '/api/gates?community=c1', committee)).body.gates.map((g: { name: string }) => g.name).sort()).toEqual(['1号楼门', '南门']);
  });

  it('WeChat down when the gate is made: the gate is kept, and its QR code is made when the poster is asked for', async () => {
    w.mock.setFault('qrcode_create', { errcode: -1, times: 1 });
    const res = await w.api('POST', '/api/gates', committee, { community: 'c1', name: '西门' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ qr: null, qrProblem: expect.any(String) });
    const png = await w.api('GET', `/api/gates/${res.body.id}/qr.png`, committee);
    expect(png.status).toBe(200);
    expect((await w.t.rt.models.Gate.findById(res.body.id).lean())?.qr).toMatchObject({ ticket: expect.any(String) });
    expect((await w.api('GET', '/api/gates/0123456789abcdef01234567/qr.png', committee)).status).toBe(404);
  });
});

describe('scan to pass (no closed management yet)', () => {
  it('zh-CN: a registered resident scans (SCAN), taps 出 and gets a pass; again is the same pass; 进 lets them in', async () => {
    const p = await registerInChat(w.player('oGateA'));
    expect(await p.scan(`g:${gate}`)).toMatch(/南门：本次是出门还是进门？[\s\S]*1 出门\n2 进门/);
    const pass = await p.say('出');
    expect(pass).toMatch(/✅ 通行证（出门）[\s\S]*门岗：南门\n时间：12月2日 08:0\d/);
    const code = codeOf(pass)!;
    expect([...code].every((ch) => CODE_ALPHABET.includes(ch))).toBe(true);
    expect(await records('oGateA')).toMatchObject([{ direction: 'out', status: 'granted', passCode: code, gateName: '南门', buildingCode: 'b1', room: '301' }]);
    expect(await presence('oGateA')).toMatchObject({ state: 'out', passCode: code });
    await p.scan(`g:${gate}`);
    expect(await p.say('1')).toContain(`无需重复登记`);
    expect((await records('oGateA')).length).toBe(1);
    await p.scan(`g:${gate}`);
    const back = await p.say('进');
    expect(back).toContain('通行证（进门）');
    expect(codeOf(back)).not.toBe(code);
    expect(await presence('oGateA')).toMatchObject({ state: 'in' });
  });

  it('en: a first-time follower through the poster (subscribe, qrscene_) is a visitor: a short form, a visitor pass; leaving is one tap', async () => {
    const v = w.player('oVisitor');
    const first = await v.subscribe(`g:${gate}`);
    expect(first).toMatch(/欢迎关注邻里[\s\S]*访客进入需要先登记[\s\S]*请回复访客姓名/);
    expect(await v.say('English')).toContain("Please reply with the visitor's name");
    expect(await v.say('Anna Smith')).toContain('mobile');
    expect(await v.say('12345')).toContain("doesn't look right");
    await v.say('13900001111');
    await v.say('Building 1, 2-301');
    expect(await v.say('2')).toMatch(/Name: Anna Smith\nMobile: 139\*\*\*\*1111/);
    const pass = await v.say('1');
    expect(pass).toMatch(/✅ Visitor pass \(In\)[\s\S]*Visiting: Building 1, 2-301/);
    expect(await records('oVisitor')).toMatchObject([
      { direction: 'in', status: 'granted', visitor: { name: 'Anna Smith', mobile: '+8613900001111', host: 'Building 1, 2-301', purpose: 'delivery' } },
    ]);
    expect(await v.scan(`g:${gate}`)).toContain('are you going out or coming in');
    expect(await v.say('out')).toContain('Visitor pass (Out)');
  });

  it('staff see the log by gate and hour, outings per household and who is out now; visitors’ mobiles in full for the committee only', async () => {
    const b = await registerInChat(w.player('oGateB'), { room: '3-302' });
    await b.scan(`g:${gate}`);
    await b.say('出');
    const log = await w.api('GET', '/api/gate-records?community=c1', property);
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({ date: '2026-12-02', refused: 0 });
    expect(log.body.byGateHour).toEqual([{ gate, gateName: '南门', hour: '08', out: 3, in: 2, refused: 0 }]);
    expect(log.body.outingsByHousehold).toEqual(
      expect.arrayContaining([expect.objectContaining({ room: '301', outings: 1 }), expect.objectContaining({ room: '302', outings: 1 })]),
    );
    const visitor = (body: { records: Array<{ visitor: { mobile: string } | null }> }) => body.records.find((r) => r.visitor)!.visitor!.mobile;
    expect(visitor(log.body)).toBe('139****1111');
    expect(visitor((await w.api('GET', '/api/gate-records?community=c1', committee)).body)).toBe('+8613900001111');
    const now = await w.api('GET', '/api/gate-records/out-now?community=c1', committee);
    expect(now.body.out).toEqual([expect.objectContaining({ building: 'b1', unit: '3', room: '302', gateName: '南门' })]);
    expect(now.body.visitorsInside).toEqual([]);
    // The building's property account: its own gate's records only, and it must say which building.
    expect((await w.api('GET', '/api/gate-records?community=c1&building=b1', propertyB1)).body).toMatchObject({ total: 0, records: [] });
    expect((await w.api('GET', '/api/gate-records?community=c1', propertyB1)).body.error).toBe('forbidden_scope');
    expect((await w.api('GET', '/api/gate-records/out-now?community=c2', property)).body.error).toBe('forbidden_scope');
    expect((await w.api('GET', '/api/gate-records?community=c1&date=2026-13-01', property)).body).toMatchObject({
      error: 'invalid_input',
      details: { field: 'date' },
    });
  });
  it('home observation holds without closed management: going out is refused with the reason and the keepers are told', async () => {
    expect((await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: '武汉' })).status).toBe(201);
    expect((await w.api('GET', '/api/communities/c1/rules', committee)).body.gates).toMatchObject({ closed: false });
    const p = await registerInChat(w.player('oObservedOpen'), { room: '9-201' });
    await p.say('返回登记');
    await p.say('湖北武汉');
    await p.say('今天');
    await p.say('1');
    expect(await p.say('1')).toMatch(/需要居家观察 7 天，到 12月8日 结束。观察期内请每天完成健康上报，不要外出/);
    await p.say('取消');
    await p.scan(`g:${gate}`);
    expect(await p.say('出')).toMatch(/⛔ 未能通行：您正在居家观察（到 12月8日 结束），观察期内不能外出。[\s\S]*门岗已收到通知/);
    expect(await records('oObservedOpen')).toMatchObject([{ status: 'refused', reason: 'observation', direction: 'out' }]);
    expect(await presence('oObservedOpen')).toBeNull();
    const [alert] = await keeperAlerts('居家观察期内（到 12月8日）');
    expect(alert!.to.split('|').sort()).toEqual(['li.gatekeeper', 'wang.committee']);
    expect(alert!.text).toMatch(/\[门岗提醒\] 南门 12-02 08:\d\d：Building 1 9-201 的住户申请出门被拒绝——居家观察期内（到 12月8日）不能外出/);
  });
});

describe('closed-management rules', () => {
  beforeAll(async () => {
    w.at('2026-12-03', '09:00');
    const res = await w.api('PATCH', '/api/communities/c1/rules', committee, {
      gates: { closed: true, outings: { max: 1, perDays: 1 }, hours: { open: '06:00', close: '22:00' }, observationStaysIn: true, visitors: false },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ version: 2, gates: { closed: true, outings: { max: 1, perDays: 1, from: '2026-12-03' } } });
    expect(res.body.audit).toMatchObject([
      { version: 1, action: 'add_risk_area' },
      { version: 2, action: 'update_rules', diff: { gates: { from: { closed: false }, to: { closed: true } } } },
    ]);
  });

  it('refuses rules that make no sense, and property accounts may not change them', async () => {
    expect((await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { hours: { open: '25:00', close: '22:00' } } })).body).toMatchObject({
      error: 'invalid_input',
      details: { field: 'gates.hours.open' },
    });
    expect((await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { outings: { max: 0, perDays: 1 } } })).status).toBe(400);
    expect((await w.api('PATCH', '/api/communities/c1/rules', committee, { version: 0, gates: { visitors: true } })).body.error).toBe('conflict_state');
    expect((await w.api('PATCH', '/api/communities/c1/rules', property, { gates: { visitors: true } })).body.error).toBe('forbidden_role');
    expect((await w.api('GET', '/api/communities/c1/rules', property)).body).toMatchObject({ version: 2 });
  });

  it('outings per household per day: the household’s second outing is refused with the reason, and the gate keepers get a WeCom alert', async () => {
    const first = await registerInChat(w.player('oQuota1'), { room: '5-101' });
    const second = await registerInChat(w.player('oQuota2'), { room: '5-101' });
    await first.scan(`g:${gate}`);
    expect(await first.say('出')).toMatch(/通行证（出门）[\s\S]*本户今天已外出 1\/1 次/);
    await second.scan(`g:${gate}`);
    const refused = await second.say('出');
    expect(refused).toMatch(/⛔ 未能通行：本户今天的外出次数已用完（每户每天 1 次）。\n门岗已收到通知/);
    expect(await records('oQuota2')).toMatchObject([{ status: 'refused', reason: 'quota', direction: 'out' }]);
    const [alert] = await keeperAlerts('外出次数已用完');
    expect(alert!.to.split('|').sort()).toEqual(['li.gatekeeper', 'wang.committee']);
    expect(alert!.text).toMatch(/\[门岗提醒\] 南门 12-03 09:0\d：Building 1 5-101 的住户申请出门被拒绝——本户今天的外出次数已用完/);
    await first.scan(`g:${gate}`);
    expect(await first.say('进')).toContain('通行证（进门）'); // coming home is never refused
  });

  it('two members of a household tapping 出 at the same moment: exactly one pass', async () => {
    const a = await registerInChat(w.player('oRaceA'), { room: '6-101' });
    const b = await registerInChat(w.player('oRaceB'), { room: '6-101' });
    await a.scan(`g:${gate}`);
    await b.scan(`g:${gate}`);
    const answers = (await Promise.all([a.push({ type: 'text', content: '出' }), b.push({ type: 'text', content: '出' })])).map(answerText);
    expect(answers.filter((x) => x.includes('通行证（出门）'))).toHaveLength(1);
    expect(answers.filter((x) => x.includes('外出次数已用完'))).toHaveLength(1);
  });

  it('per N days: two outings every three days; the third in the period is refused and names the next period', async () => {
    await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { outings: { max: 2, perDays: 3, from: '2026-12-01' } } });
    const p = await registerInChat(w.player('oPeriod'), { room: '7-101' });
    for (const [dir, expected] of [
      ['出', '本户本期（每 3 天）已外出 1/2 次'],
      ['进', '通行证（进门）'],
      ['出', '本户本期（每 3 天）已外出 2/2 次'],
      ['进', '通行证（进门）'],
      ['出', '本户本期的外出次数已用完（每户每 3 天 2 次），下一期从 12月4日 开始'],
    ] as const) {
      await p.scan(`g:${gate}`);
      expect(await p.say(dir)).toContain(expected);
    }
    w.at('2026-12-04', '09:00');
    await p.scan(`g:${gate}`);
    expect(await p.say('出')).toContain('本户本期（每 3 天）已外出 1/2 次');
    await p.scan(`g:${gate}`);
    await p.say('进');
    await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { outings: { max: 1, perDays: 1 } } });
  });

  it('a visitor leaving after hours is let out, and the keeper is told to open the gate', async () => {
    await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { visitors: true } });
    w.at('2026-12-04', '21:30');
    const v = w.player('oLateVisitor');
    await v.subscribe(`g:${gate}`);
    await v.say('陈晨');
    await v.say('13600001111');
    await v.say('2号楼 502');
    await v.say('1');
    expect(await v.say('1')).toContain('访客通行证（进门）');
    await w.api('PATCH', '/api/communities/c1/rules', committee, { gates: { visitors: false } });
    w.at('2026-12-04', '23:05');
    await v.scan(`g:${gate}`);
    expect(await v.say('出')).toMatch(/✅ 访客通行证（出门）[\s\S]*现在是关门时间，门岗已收到提醒/);
    expect(await records('oLateVisitor')).toMatchObject([
      { direction: 'in', status: 'granted' },
      { direction: 'out', status: 'granted', afterHours: true },
    ]);
    const [alert] = await keeperAlerts('在关门时间离开小区');
    expect(alert!.to.split('|').sort()).toEqual(['li.gatekeeper', 'wang.committee']);
    expect(alert!.text).toMatch(/\[门岗提醒\] 南门 12-04 23:0\d：访客 陈晨（136\*\*\*\*1111，探访 2号楼 502）在关门时间离开小区，已发通行证/);
  });

  it('gate hours: at 23:10 going out is refused; coming home is let in and the keeper is told to open the gate', async () => {
    const p = await registerInChat(w.player('oNight'), { room: '8-101' });
    w.at('2026-12-04', '23:10');
    await p.scan(`g:${gate}`);
    expect(await p.say('出')).toContain('门岗开放时间为 06:00–22:00，现在不能通行');
    await keeperAlerts('非开放时间（06:00–22:00）');
    await p.scan(`g:${gate}`);
    expect(await p.say('进')).toMatch(/通行证（进门）[\s\S]*现在是关门时间，门岗已收到提醒/);
    const [late] = await keeperAlerts('在关门时间回到小区');
    expect(late!.text).toContain('8-101');
    w.at('2026-12-05', '08:00');
  });

  it('home observation: a returnee from a risk area may not go out', async () => {
    expect((await w.api('POST', '/api/communities/c1/risk-areas', committee, { area: '上海' })).status).toBe(201);
    const p = await registerInChat(w.player('oObserved'), { room: '9-101' });
    await p.say('返回登记');
    await p.say('上海浦东');
    await p.say('昨天');
    await p.say('1');
    expect(await p.say('1')).toContain('需要居家观察 7 天，到 12月10日 结束');
    await p.say('取消'); // the health report can wait
    await p.scan(`g:${gate}`);
    expect(await p.say('出')).toContain('您正在居家观察（到 12月10日 结束），观察期内不能外出');
    await keeperAlerts('居家观察期内（到 12月10日）');
  });

  it('visitors paused: the visitor’s form ends in a refusal and the keeper is told who came', async () => {
    const v = w.player('oVisitor2');
    await v.subscribe(`g:${gate}`);
    await v.say('李娜');
    await v.say('13700001111');
    await v.say('2号楼 502');
    await v.say('1');
    expect(await v.say('1')).toContain('封闭管理期间暂停访客进入');
    const [alert] = await keeperAlerts('访客 李娜');
    expect(alert!.text).toContain('137****1111');
  });

  it('en: a refused pass in English, and the log counts the refusals', async () => {
    const p = await registerInChat(w.player('oQuotaEn'), { room: '5-101', language: 'en' }); // the household that went out already today
    await p.scan(`g:${gate}`);
    await p.say('out');
    await p.scan(`g:${gate}`);
    await p.say('in');
    const other = await registerInChat(w.player('oQuotaEn2'), { room: '5-101', language: 'en' });
    await other.scan(`g:${gate}`);
    expect(await other.say('out')).toMatch(
      /⛔ Pass refused: your household has used today's outings \(1 a day per household\)\.\nThe gate keeper has been told/,
    );
    const log = await w.api('GET', '/api/gate-records?community=c1', committee);
    expect(log.body.refused).toBeGreaterThanOrEqual(1);
  });
});
