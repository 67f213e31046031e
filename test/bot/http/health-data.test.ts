/**
 * Residents' sensitive data through the staff API: health reports, who has not reported, alerts
 * and the resident list — who may read them, in which scope, with mobiles masked for whom, and
 * the access log every read leaves. Real Koa app, Redis and FerretDB; a fixed clock at 01:30 on
 * 28 November in Shanghai (still the 27th in UTC and in New York), so "today" is the community's.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIdFor } from '../../../models/alert.js';
import { healthReportIdFor } from '../../../models/health-report.js';
import { householdIdFor } from '../../../models/household.js';
import { residentIdFor } from '../../../models/resident.js';
import { createTestRuntime, seedPlaces, type TestRuntime } from '../../support/runtime.js';
import { COMMON_CAST, createCast, serveStaffApi, type ApiCall, type CastMember, type Who } from '../../support/staff-api.js';

const NOW = new Date('2026-11-27T17:30:00Z');
const TODAY = '2026-11-28'; // in Shanghai
let t: TestRuntime;
let stopHttp: () => Promise<void>;
let api: ApiCall;

const CAST = {
  ...COMMON_CAST,
  social: ['social_org', { community: 'c1' }, 'Medical team'],
  property: ['property', { community: 'c1' }, 'Property'],
} as const satisfies Record<string, CastMember>;
let staff: { [K in keyof typeof CAST]: Who };
const r = {} as Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'gone' | 'poster', string>;
const H = {} as Record<'H1' | 'H2' | 'H3' | 'H4', string>;

function residentDoc(
  name: string,
  o: { community?: string; building?: string; room?: string; householdId?: Types.ObjectId; subscribed?: boolean; scene?: string; vulnerable?: boolean },
) {
  const registered = !o.scene;
  return {
    _id: residentIdFor('wechat', `o-${name}`),
    channel: 'wechat',
    openid: `o-${name}`,
    subscribed: o.subscribed ?? true,
    ...(o.scene ? { subscribeScene: o.scene } : {}),
    ...(registered
      ? {
          registration: {
            streetCode: 's1',
            communityCode: o.community ?? 'c1',
            buildingCode: o.building ?? 'b1',
            unit: '1',
            room: o.room ?? '101',
            registeredAt: NOW,
          },
        }
      : {}),
    ...(o.householdId ? { householdId: o.householdId } : {}),
    vulnerable: { elderlyAlone: !!o.vulnerable },
    isVulnerable: !!o.vulnerable,
    mobile: '+8613912345678',
    createdAt: NOW,
  };
}

function report(
  residentId: Types.ObjectId,
  date: string,
  o: { community?: string; building?: string; risk?: 'green' | 'yellow' | 'red'; suspected?: boolean; minutes?: number },
) {
  return {
    _id: healthReportIdFor(residentId, date),
    residentId,
    communityCode: o.community ?? 'c1',
    buildingCode: o.building ?? 'b1',
    date,
    temperatureC: o.risk === 'green' ? 36.5 : 38.0,
    symptoms: o.risk === 'green' ? [] : ['cough'],
    test: o.risk === 'red' ? 'positive' : 'negative',
    contact: false,
    risk: o.risk ?? 'green',
    reasons: o.risk === 'red' ? ['positive_test'] : o.risk === 'yellow' ? ['symptoms'] : [],
    reusedYesterday: false,
    submittedAt: new Date(NOW.getTime() - (o.minutes ?? 10) * 60_000),
    revision: 1,
    ...(o.suspected ? { suspectedAutomation: true } : {}),
  };
}

async function seed(): Promise<void> {
  const m = t.rt.models;
  await m.Community.updateOne({ code: 'c2' }, { $set: { timeZone: 'America/New_York' } });
  const hh = (building: string, room: string) => householdIdFor('c1', building, '1', room);
  Object.assign(H, { H1: String(hh('b1', '101')), H2: String(hh('b1', '102')), H3: String(hh('b1', '103')), H4: String(hh('b2', '301')) });
  await m.Household.insertMany([
    {
      _id: hh('b1', '101'),
      communityCode: 'c1',
      buildingCode: 'b1',
      unit: '1',
      room: '101',
      source: 'roster',
      members: [{ name: '王奶奶', mobileLast4: '0000' }],
    },
    { _id: hh('b1', '102'), communityCode: 'c1', buildingCode: 'b1', unit: '1', room: '102', source: 'chat' },
    { _id: hh('b1', '103'), communityCode: 'c1', buildingCode: 'b1', unit: '1', room: '103', source: 'chat' },
    { _id: hh('b2', '301'), communityCode: 'c1', buildingCode: 'b2', unit: '1', room: '301', source: 'roster', members: [{ name: '李爷爷' }] },
  ]);
  const docs = [
    residentDoc('A', { room: '101', householdId: hh('b1', '101') }),
    residentDoc('B', { room: '102', householdId: hh('b1', '102'), vulnerable: true }),
    residentDoc('C', { room: '103', householdId: hh('b1', '103') }),
    residentDoc('D', { room: '103', householdId: hh('b1', '103') }),
    residentDoc('E', { building: 'b2', room: '201' }),
    residentDoc('F', { building: 'b2', room: '202' }),
    residentDoc('G', { community: 'c2', building: 'x1', room: '1' }),
    residentDoc('gone', { room: '104', subscribed: false }),
    residentDoc('poster', { scene: 'b:c1:b1' }),
  ];
  await m.Resident.insertMany(docs);
  for (const d of docs) r[d.openid.slice(2) as keyof typeof r] = String(d._id);
  const id = (k: keyof typeof r) => new Types.ObjectId(r[k]);
  await m.HealthReport.insertMany([
    report(id('A'), TODAY, { minutes: 40 }),
    report(id('C'), TODAY, { minutes: 30 }),
    report(id('E'), TODAY, { building: 'b2', risk: 'red', minutes: 20 }),
    report(id('F'), TODAY, { building: 'b2', risk: 'yellow', suspected: true, minutes: 10 }),
    report(id('B'), '2026-11-27', { risk: 'yellow', minutes: 60 * 24 }),
    report(id('G'), '2026-11-27', { community: 'c2', building: 'x1', minutes: 50 }),
    report(id('G'), '2026-11-26', { community: 'c2', building: 'x1', minutes: 60 * 24 }),
  ]);
  const alert = (k: keyof typeof r, level: 'yellow' | 'red', date: string, building: string, extra = {}) => ({
    _id: alertIdFor(id(k), date, level),
    level,
    reasons: [level === 'red' ? 'positive_test' : 'symptoms'],
    residentId: id(k),
    reportId: healthReportIdFor(id(k), date),
    communityCode: 'c1',
    buildingCode: building,
    date,
    createdAt: new Date(NOW.getTime() - (date === TODAY ? 5 : 60 * 24) * 60_000),
    ...extra,
  });
  await m.Alert.insertMany([
    alert('E', 'red', TODAY, 'b2'),
    alert('F', 'yellow', TODAY, 'b2'),
    alert('B', 'yellow', '2026-11-27', 'b1', { acknowledgedAt: NOW, acknowledgedBy: 'someone', acknowledgedByName: 'Night shift' }),
  ]);
}

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'health_api', clock: { now: () => NOW } });
  await seedPlaces(t.rt.models);
  staff = await createCast(t.rt.models, CAST);
  await seed();
  ({ api, close: stopHttp } = await serveStaffApi(t));
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
});

const get = async (path: string, who: Who) => {
  const res = await api('GET', path, who.token);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
};
const lastLog = (who: Who, resource: string) => t.rt.models.AccessLog.findOne({ actorId: who.id, resource }).sort({ at: -1, _id: -1 }).lean();

describe('GET /api/health-reports', () => {
  const ids = async (q: string, who = staff.committee) => (await get(`/api/health-reports${q}`, who)).reports.map((x: any) => x.residentId);

  it("lists the community's today, newest first, and filters by date, building, risk and suspected automation", async () => {
    expect(await ids('')).toEqual([r.F, r.E, r.C, r.A]);
    expect(await ids('?risk=red')).toEqual([r.E]);
    expect(await ids('?suspected=true')).toEqual([r.F]);
    expect(await ids('?suspected=false')).toEqual([r.E, r.C, r.A]);
    expect(await ids('?building=b2')).toEqual([r.F, r.E]);
    expect(await ids('?date=2026-11-27')).toEqual([r.B]);
    const [e] = (await get('/api/health-reports?risk=red', staff.committee)).reports;
    expect(e).toMatchObject({
      community: 'c1',
      building: 'b2',
      date: TODAY,
      risk: 'red',
      reasons: ['positive_test'],
      test: 'positive',
      suspectedAutomation: false,
    });
  });

  it('uses each community’s own time zone for today', async () => {
    // c1 (Shanghai) is on the 28th, c2 (New York) still on the 27th.
    expect(await ids('', staff.government)).toEqual([r.F, r.E, r.C, r.A, r.G]);
    expect(await ids('?community=c2', staff.government)).toEqual([r.G]);
  });

  it('pages newest first with before = the last id', async () => {
    const first = await get('/api/health-reports?limit=3', staff.committee);
    expect(first.reports).toHaveLength(3);
    const second = await get(`/api/health-reports?limit=3&before=${first.next}`, staff.committee);
    expect([...first.reports, ...second.reports].map((x: any) => x.residentId)).toEqual([r.F, r.E, r.C, r.A]);
    expect(second.next).toBeNull();
  });

  it('logs every read: who, the filter, how many', async () => {
    await get('/api/health-reports?risk=red&building=b2', staff.social);
    expect(await lastLog(staff.social, 'health_reports')).toMatchObject({
      actorName: 'Medical team',
      role: 'social_org',
      query: { risk: 'red', building: 'b2', limit: 100 },
      count: 1,
      at: NOW,
    });
  });

  it('keeps each account to its scope', async () => {
    expect(await ids('', staff.b1Committee)).toEqual([r.C, r.A]);
    expect(await ids('', staff.outsider)).toEqual([]);
    for (const [who, q] of [
      [staff.outsider, '?community=c1'],
      [staff.b1Committee, '?building=b2'],
      [staff.committee, '?community=c2'],
    ] as const) {
      const res = await api('GET', `/api/health-reports${q}`, who.token);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden_scope');
    }
    expect((await api('GET', '/api/health-reports?community=nowhere', staff.government.token)).status).toBe(404);
    expect((await api('GET', '/api/health-reports?building=b9', staff.committee.token)).status).toBe(404);
  });

  it.each([
    ['date=2026-02-30', 'date'],
    ['date=yesterday', 'date'],
    ['risk=purple', 'risk'],
    ['suspected=maybe', 'suspected'],
    ['limit=abc', 'limit'],
    ['before=123', 'before'],
    [`before=${new Types.ObjectId().toHexString()}`, 'before'],
    ['community=C1', 'community'],
  ])('400 for ?%s, naming the field', async (q, field) => {
    const res = await api('GET', `/api/health-reports?${q}`, staff.committee.token);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field, reason: expect.any(String) } });
  });
});

describe('GET /api/health-reports/missing', () => {
  it('lists the households not fully reported today, roster households nobody registered in included', async () => {
    const body = await get('/api/health-reports/missing', staff.committee);
    expect(body.days).toEqual([{ community: 'c1', date: TODAY }]);
    expect(body.households.map((h: any) => [h.householdId, h.building, h.room, h.source, h.registered, h.reported, h.notReported])).toEqual([
      [H.H2, 'b1', '102', 'chat', 1, 0, [r.B]],
      [H.H3, 'b1', '103', 'chat', 2, 1, [r.D]],
      [H.H4, 'b2', '301', 'roster', 0, 0, []],
    ]);
    // households: H1–H4 and E's and F's rooms; the unsubscribed resident does not count
    expect(body.summary).toEqual({ households: 6, reportedHouseholds: 3, missingHouseholds: 3, residents: 6, reportedResidents: 4 });
    expect(await lastLog(staff.committee, 'health_missing')).toMatchObject({ count: 3 });
  });

  it('for another day and building', async () => {
    const body = await get('/api/health-reports/missing?date=2026-11-27&building=b1', staff.committee);
    expect(body.households.map((h: any) => h.householdId)).toEqual([H.H1, H.H3]); // only B reported on the 27th
    expect((await get('/api/health-reports/missing', staff.b1Committee)).households.map((h: any) => h.householdId)).toEqual([H.H2, H.H3]);
  });
});

describe('alerts', () => {
  it('lists alerts in scope, by level, day and acknowledgement', async () => {
    const ids = async (q: string) => (await get(`/api/alerts${q}`, staff.committee)).alerts.map((a: any) => `${a.level}:${a.residentId}`);
    expect(await ids('')).toEqual(expect.arrayContaining([`red:${r.E}`, `yellow:${r.F}`, `yellow:${r.B}`]));
    expect(await ids('?level=red')).toEqual([`red:${r.E}`]);
    expect(await ids(`?date=2026-11-27`)).toEqual([`yellow:${r.B}`]);
    expect(await ids('?acknowledged=true')).toEqual([`yellow:${r.B}`]);
    expect((await get('/api/alerts', staff.b1Committee)).alerts.map((a: any) => a.residentId)).toEqual([r.B]);
    expect(await lastLog(staff.committee, 'alerts')).toMatchObject({ query: { acknowledged: true } });
  });

  it('acknowledges once: a second acknowledgement is 409 naming who did it', async () => {
    const id = String(alertIdFor(r.E!, TODAY, 'red'));
    const res = await api('POST', `/api/alerts/${id}/acknowledge`, staff.committee.token, { note: '已电话联系，送医' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      acknowledgedBy: { id: staff.committee.id, name: 'Committee Li' },
      note: '已电话联系，送医',
      acknowledgedAt: NOW.toISOString(),
    });
    const again = await api('POST', `/api/alerts/${id}/acknowledge`, staff.social.token, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict_state', message: expect.stringContaining('Committee Li') });
    expect((await get('/api/alerts?acknowledged=false', staff.committee)).alerts.map((a: any) => a.residentId)).toEqual([r.F]);
  });

  it('two staff acknowledging at once: one 200, one 409', async () => {
    const id = String(alertIdFor(r.F!, TODAY, 'yellow'));
    const results = await Promise.all([staff.committee, staff.committee2].map((w) => api('POST', `/api/alerts/${id}/acknowledge`, w.token, {})));
    expect(results.map((x) => x.status).sort()).toEqual([200, 409]);
    const winner = results.find((x) => x.status === 200)!.body.acknowledgedBy.id;
    expect(String((await t.rt.models.Alert.findById(id).lean())?.acknowledgedBy)).toBe(winner);
  });

  it('guards and bad input', async () => {
    const id = String(alertIdFor(r.B!, '2026-11-27', 'yellow'));
    expect((await api('POST', `/api/alerts/${id}/acknowledge`, staff.party.token, {})).body.error).toBe('forbidden_role');
    expect((await api('POST', `/api/alerts/${id}/acknowledge`, staff.outsider.token, {})).body.error).toBe('forbidden_scope');
    expect((await api('POST', `/api/alerts/${new Types.ObjectId().toHexString()}/acknowledge`, staff.committee.token, {})).status).toBe(404);
    const empty = await api('POST', `/api/alerts/${id}/acknowledge`, staff.committee.token, { note: ' ' });
    expect(empty.body).toMatchObject({ error: 'invalid_input', details: { field: 'note' } });
    expect((await api('GET', '/api/alerts?level=green', staff.committee.token)).body.details.field).toBe('level');
  });
});

describe('GET /api/residents', () => {
  it('shows the committee full mobiles and everyone else masked ones, logging which', async () => {
    const full = await get('/api/residents?building=b1&registered=true', staff.committee);
    expect(full.mobilesMasked).toBe(false);
    expect(full.residents.map((x: any) => x.id).sort()).toEqual([r.A, r.B, r.C, r.D, r.gone].sort());
    expect(full.residents.every((x: any) => x.mobile === '+8613912345678')).toBe(true);
    expect(await lastLog(staff.committee, 'residents')).toMatchObject({ query: { building: 'b1', registered: true, mobiles: 'full' }, count: 5 });
    const masked = await get('/api/residents?building=b1&registered=true', staff.social);
    expect(masked.mobilesMasked).toBe(true);
    expect(masked.residents.every((x: any) => x.mobile === '139****5678')).toBe(true);
    expect(await lastLog(staff.social, 'residents')).toMatchObject({ query: { mobiles: 'masked' }, count: 5 });
  });

  it('finds residents who followed a poster of the place but have not registered, and vulnerable ones', async () => {
    expect((await get('/api/residents?registered=false', staff.committee)).residents.map((x: any) => x.id)).toEqual([r.poster]);
    expect((await get('/api/residents?registered=false', staff.b1Committee)).residents.map((x: any) => x.id)).toEqual([r.poster]);
    expect((await get('/api/residents?registered=false&building=b2', staff.committee)).residents).toEqual([]);
    const vulnerable = (await get('/api/residents?vulnerable=true', staff.committee)).residents;
    expect(vulnerable.map((x: any) => [x.id, x.vulnerable])).toEqual([[r.B, ['elderlyAlone']]]);
    expect((await get('/api/residents?limit=500', staff.committee)).residents).toHaveLength(9 - 1); // all but G (c2)
  });
});

describe('who reads health data', () => {
  const routes = ['/api/health-reports', '/api/health-reports/missing', '/api/alerts', '/api/residents'];
  it.each(routes)('%s: 403 forbidden_role for party, property and admin; 401 without a token', async (path) => {
    for (const who of [staff.party, staff.property, staff.admin]) {
      const res = await api('GET', path, who.token);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden_role');
    }
    expect((await api('GET', path, null)).status).toBe(401);
    expect(await t.rt.models.AccessLog.countDocuments({ actorId: { $in: [staff.party.id, staff.property.id, staff.admin.id] } })).toBe(0);
  });
});
