/**
 * The server side of the web pages, without a browser: the switches (simulator and public
 * figures answer 404 when off), the simulator's endpoint (bad input, a real signed push through
 * /wechat, messages read back from the mock), the public figures (counts only: nothing personal
 * in the JSON), the situation route's roles, and the console's API types generated offline equal
 * the document a running server serves.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bot/app.js';
import { appMounts } from '../../bot/mounts.js';
import { seedDemo } from '../../handlers/places/seed-demo.js';
import { residentIdFor } from '../../models/resident.js';
import { ensureConsoleBuilt } from '../../scripts/console/build.js';
import { apiTypes, offlineApiDocument } from '../../scripts/console/api-types.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../support/runtime.js';
import { apiClient, type ApiCall } from '../support/staff-api.js';
import { waitFor } from '../support/wait-for.js';

let mock: MockWechatApi;
let on: { t: TestRuntime; base: string; close: () => Promise<void> };
let off: { t: TestRuntime; base: string; close: () => Promise<void> };
let tokens: Record<string, string>;
let api: ApiCall;

async function serve(prefix: string, enabled: boolean) {
  const flag = enabled ? '1' : '0';
  const t = await createTestRuntime({ dbPrefix: prefix, env: { WECHAT_API_BASE: mock.url, SIMULATOR_ENABLED: flag, PUBLIC_FIGURES_ENABLED: flag } });
  const http = await serveApp(createApp(t.rt, appMounts));
  return { t, base: http.url, close: async () => (await http.close(), await t.close()) };
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  mock = await startMockWechatApi({ port: 0 });
  on = await serve('pages_on', true);
  off = await serve('pages_off', false);
  tokens = Object.fromEntries((await seedDemo(on.t.rt.models, { residents: 6 })).map((s) => [s.name, s.token]));
  api = apiClient(on.base);
}, 120_000);
afterAll(async () => {
  await on?.close();
  await off?.close();
  await mock?.close();
});

const get = (url: string) => fetch(url).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() }));
const send = (body: unknown) =>
  fetch(`${on.base}/simulator/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

describe('switches', () => {
  it('serves the console always, the simulator and the figures only when enabled (404 otherwise)', async () => {
    for (const base of [on.base, off.base]) {
      const page = await get(`${base}/console`);
      expect(page.status).toBe(200);
      expect(page.type).toContain('text/html');
      const asset = /\/console\/assets\/[\w.-]+\.js/.exec(page.text)![0];
      expect((await get(`${base}${asset}`)).status).toBe(200);
    }
    for (const path of ['/simulator', '/figures', '/figures/data.json']) {
      expect((await get(`${on.base}${path}`)).status, path).toBe(200);
      expect((await get(`${off.base}${path}`)).status, path).toBe(404);
    }
    const r = await fetch(`${off.base}/simulator/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(404);
    expect((await get(`${on.base}/console/assets/../../package.json`)).status).toBe(404);
  });
});

describe('simulator endpoint', () => {
  it('refuses bad input with a readable 400', async () => {
    for (const body of [
      {},
      { openid: 'a b', action: { type: 'text', content: 'hi' } },
      { openid: 'sim-x', action: { type: 'text', content: '' } },
      { openid: 'sim-x', action: { type: 'dance' } },
    ]) {
      const r = await send(body);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_input');
      expect(r.body.message).toMatch(/\w/);
    }
    expect((await fetch(`${on.base}/simulator/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await get(`${on.base}/simulator/api/messages?openid=sim-x&after=-1`)).status).toBe(400);
  });

  it('signs a follow as WeChat would, gets the bot’s reply, and reads later messages to that resident from the mock', async () => {
    const r = await send({ openid: 'sim-server-1', action: { type: 'subscribe', sceneKey: 'b:demo:1' } });
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('reply');
    expect(r.body.text).toContain('欢迎关注邻里');
    const resident = await on.t.rt.models.Resident.findById(residentIdFor('wechat', 'sim-server-1')).lean();
    expect(resident?.subscribed).toBe(true);
    // A message the platform sends later through the API shows up for this openid only.
    const before = mock.calls().at(-1)?.seq ?? 0;
    const sendApi = async (touser: string, content: string) => {
      const token = (await (await fetch(`${mock.url}/cgi-bin/token?grant_type=client_credential&appid=x&secret=y`)).json()) as { access_token: string };
      await fetch(`${mock.url}/cgi-bin/message/custom/send?access_token=${token.access_token}`, {
        method: 'POST',
        body: JSON.stringify({ touser, msgtype: 'text', text: { content } }),
      });
    };
    await sendApi('sim-server-1', 'your request was accepted');
    await sendApi('someone-else', 'not yours');
    const got = await waitFor('the message in the log', async () => {
      const m = (await (await fetch(`${on.base}/simulator/api/messages?openid=sim-server-1&after=${before}`)).json()) as any;
      return m.messages.length ? m : null;
    });
    expect(got.available).toBe(true);
    expect(got.messages).toEqual([expect.objectContaining({ kind: 'text', text: 'your request was accepted' })]);
  });
});

describe('public figures and situation', () => {
  it('counts only: no resident ids, openids, rooms or mobiles in the public JSON', async () => {
    const { models } = on.t.rt;
    const rid = residentIdFor('wechat', 'demo-resident-001');
    await models.HealthReport.create({
      _id: rid,
      residentId: rid,
      communityCode: 'demo',
      buildingCode: '1',
      room: '1-101',
      date: new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }),
      temperatureC: 38.9,
      test: 'negative',
      contact: false,
      risk: 'red',
      submittedAt: new Date(),
    });
    // A released allocation round shows its public figures; a draft does not.
    const start = new Date(Date.now() + 86_400_000);
    const slot = { start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), capacity: 50 };
    for (const [item, release] of [
      ['口罩 Masks', true],
      ['抗原 Test kits', false],
    ] as const) {
      const made = await api('POST', '/api/allocations', tokens['demo-committee'], { community: 'demo', item, stock: 100, slots: [slot], release });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const r = await get(`${on.base}/figures/data.json`);
    const body = JSON.parse(r.text);
    expect(body.communities[0]).toMatchObject({ code: 'demo', reports: { red: 1 } });
    expect(body.communities[0].allocations).toEqual([{ title: '口罩 Masks', status: 'open', stock: 100, booked: 0, redeemed: 0 }]);
    expect(r.text).not.toMatch(/demo-resident|1-101|\d{11}|\*{4}|residentId|openid|mobile/);
  });

  it('GET /api/situation: committee and street office only, inside their scope', async () => {
    expect((await api('GET', '/api/situation', tokens['demo-committee'])).status).toBe(200);
    expect((await api('GET', '/api/situation?community=demo', tokens['demo-government'])).status).toBe(200);
    expect((await api('GET', '/api/situation', tokens['demo-property'])).body.error).toBe('forbidden_role');
    expect((await api('GET', '/api/situation?community=nowhere', tokens['demo-committee'])).status).toBe(404);
    expect((await api('GET', '/api/situation?community=Bad!', tokens['demo-committee'])).body.error).toBe('invalid_input');
    const s = (await api('GET', '/api/situation', tokens['demo-committee'])).body;
    expect(s.reportsByDay).toHaveLength(14);
    expect(s.buildingsToday).toEqual([{ community: 'demo', building: '1', yellow: 0, red: 1 }]);
  });
});

describe('console API types', () => {
  it('are generated from the same document GET /api/openapi.json serves', async () => {
    const served = (await api('GET', '/api/openapi.json', tokens['demo-committee'])).body;
    const offline = offlineApiDocument();
    expect(JSON.parse(JSON.stringify(offline))).toEqual(served);
    expect(await apiTypes(offline)).toContain('"/api/situation"');
  });
});

describe('exports', () => {
  const day = (back = 0) => new Date(Date.now() - back * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const download = (kind: string, token: string, query: string) =>
    fetch(`${on.base}/api/exports/${kind}?${query}`, { headers: { authorization: `Bearer ${token}` } });

  it('health reports as CSV (BOM, header, one row per report, formulas defused) and volunteers as XLSX, each access-logged', async () => {
    const csv = await download('health-reports', tokens['demo-committee']!, `from=${day(1)}&to=${day()}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain(`linli-health-reports-${day(1)}-${day()}.csv`);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csv.arrayBuffer());
    expect(text.startsWith('\uFEFFdate,community,building,room')).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',demo,1,1-101,38.9,');

    const xlsx = await download('volunteers', tokens['demo-volunteer-lead']!, `from=${day(30)}&to=${day()}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'name',
      'mobile',
      'skills',
      'availability',
      'area',
      'community',
      'building',
      'status',
      'round',
      'applied_at',
      'decided_at',
      'decided_by',
      'reason',
    ]);
    const seeded = await on.t.rt.models.Volunteer.countDocuments({ communityCode: 'demo' });
    expect(sheet.rowCount - 1).toBe(seeded);
    const logs = await on.t.rt.models.AccessLog.find({ resource: { $in: ['export:health-reports', 'export:volunteers'] } }).lean();
    expect(logs.map((l) => [l.resource, l.count]).sort()).toEqual([
      ['export:health-reports', 1],
      ['export:volunteers', seeded],
    ]);
  });

  it('refuses a role that may not read the records, a reversed or too long range, and bad input, in the API’s JSON', async () => {
    const denied = await download('health-reports', tokens['demo-property']!, `from=${day()}&to=${day()}`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).error).toBe('forbidden_role');
    for (const q of [`from=${day()}&to=${day(1)}`, `from=${day(100)}&to=${day()}`, `from=yesterday&to=${day()}`, `from=${day()}&to=${day()}&format=pdf`]) {
      const r = await download('supply-requests', tokens['demo-committee']!, q);
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as any).error).toBe('invalid_input');
    }
  });
});
