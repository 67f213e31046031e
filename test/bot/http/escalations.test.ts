/**
 * Answering residents who asked for a person, end to end: real Koa app, Redis (the lease that
 * decides between two staff), FerretDB and the mock WeChat API the answer is sent through. No
 * template message is configured here, so a resident outside the 48-hour window cannot be reached.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { residentIdFor } from '../../../models/resident.js';
import { startMockWechatApi, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { createTestRuntime, seedPlaces, type TestRuntime } from '../../support/runtime.js';
import { COMMON_CAST, createCast, serveStaffApi, type ApiCall, type Who } from '../../support/staff-api.js';

const NOW = new Date('2026-11-28T02:00:00Z');
let t: TestRuntime;
let mock: MockWechatApi;
let stopHttp: () => Promise<void>;
let api: ApiCall;

let staff: { [K in keyof typeof COMMON_CAST]: Who };

beforeAll(async () => {
  mock = await startMockWechatApi({ port: 0, unsubscribed: ['o-ghost'] });
  t = await createTestRuntime({ dbPrefix: 'escalations_api', clock: { now: () => NOW }, env: { WECHAT_API_BASE: mock.url, WECHAT_NOTICE_TEMPLATE_ID: '' } });
  await seedPlaces(t.rt.models);
  staff = await createCast(t.rt.models, COMMON_CAST);
  ({ api, close: stopHttp } = await serveStaffApi(t));
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
  await mock?.close();
});

beforeEach(() => {
  mock.clearCalls();
  mock.clearFaults();
});

let n = 0;
interface Spec {
  openid?: string;
  building?: string;
  registered?: boolean;
  windowOpen?: boolean;
  subscribed?: boolean;
  language?: 'zh-CN' | 'en';
  minutesAgo?: number;
}
/** A resident and their open escalation. */
async function escalation(o: Spec = {}): Promise<{ id: string; openid: string }> {
  const openid = o.openid ?? `o-esc-${++n}`;
  const registered = o.registered ?? true;
  const place = registered ? { communityCode: 'c1', buildingCode: o.building ?? 'b1' } : {};
  const residentId = residentIdFor('wechat', openid);
  await t.rt.models.Resident.create({
    _id: residentId,
    channel: 'wechat',
    openid,
    language: o.language ?? 'zh-CN',
    subscribed: o.subscribed ?? true,
    lastInboundAt: new Date(NOW.getTime() - (o.windowOpen === false ? 72 : 1) * 3600_000),
    ...(registered ? { registration: { streetCode: 's1', ...place, room: '101', registeredAt: NOW } } : {}),
  });
  const e = await t.rt.models.Escalation.create({
    residentId,
    channel: 'wechat',
    openid,
    ...place,
    reason: 'asked',
    flow: 'supply-request',
    step: 'items',
    lastInput: '人工',
    createdAt: new Date(NOW.getTime() - (o.minutesAgo ?? 1) * 60_000),
  });
  return { id: String(e._id), openid };
}

const sends = (openid: string) =>
  mock.calls().filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && (c.body as { touser?: string }).touser === openid);
const answer = (id: string, who: Who, text: unknown = '您好，物资明天上午送到。') => api('POST', `/api/escalations/${id}/answer`, who.token, { text });

describe('answering', () => {
  it('sends the text to the resident once and marks the escalation answered', async () => {
    const { id, openid } = await escalation();
    const res = await answer(id, staff.committee);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: 'answered',
      answer: '您好，物资明天上午送到。',
      answeredBy: { id: staff.committee.id, name: 'Committee Li' },
      sentAs: 'kf',
    });
    expect(sends(openid).map((c) => (c.body as any).text.content)).toEqual(['社区工作人员回复：您好，物资明天上午送到。']);
    const again = await answer(id, staff.committee2, 'second answer');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict_state', message: expect.stringContaining('Committee Li') });
    expect(sends(openid)).toHaveLength(1);
  });

  it('in the resident’s language', async () => {
    const { id, openid } = await escalation({ language: 'en' });
    expect((await answer(id, staff.committee, 'Your rice arrives tomorrow.')).status).toBe(200);
    expect(sends(openid).map((c) => (c.body as any).text.content)).toEqual(['Community staff reply: Your rice arrives tomorrow.']);
  });

  it('two staff answering at once: one 200, one 409, one message', async () => {
    const { id, openid } = await escalation();
    const results = await Promise.all([answer(id, staff.committee, 'A'), answer(id, staff.committee2, 'B')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toBe('conflict_state');
    expect(sends(openid)).toHaveLength(1);
    const stored = await t.rt.models.Escalation.findById(id).lean();
    expect(stored?.answer).toBe((sends(openid)[0]!.body as any).text.content.split('：')[1]);
  });

  it.each([
    ['outside the 48-hour window with no template', { windowOpen: false }, 'no_template'],
    ['who unfollowed', { subscribed: false }, 'unsubscribed'],
  ] as const)('409 undeliverable for a resident %s, and the escalation stays open', async (_, spec, reason) => {
    const { id, openid } = await escalation(spec);
    const res = await answer(id, staff.committee);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'undeliverable', details: { reason } });
    expect(sends(openid)).toHaveLength(0);
    expect((await t.rt.models.Escalation.findById(id).lean())?.status).toBe('open');
  });

  it('409 undeliverable when WeChat refuses (43004), 503 when it is busy (-1); a later answer goes through', async () => {
    const ghost = await escalation({ openid: 'o-ghost' });
    const refused = await answer(ghost.id, staff.committee);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'undeliverable', details: { errcode: 43004 } });

    const busy = await escalation();
    mock.setFault('custom_send', { errcode: -1, times: 1 });
    const first = await answer(busy.id, staff.committee);
    expect(first.status).toBe(503);
    expect(first.body.error).toBe('unavailable');
    expect((await t.rt.models.Escalation.findById(busy.id).lean())?.status).toBe('open');
    expect((await answer(busy.id, staff.committee)).status).toBe(200);
  });

  it.each([
    ['no text', {}],
    ['empty text', { text: '   ' }],
    ['text over 600 characters', { text: '好'.repeat(601) }],
    ['text not a string', { text: 42 }],
  ])('400 on text for %s', async (_, body) => {
    const { id } = await escalation();
    const res = await api('POST', `/api/escalations/${id}/answer`, staff.committee.token, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field: 'text' } });
  });
});

describe('listing and who may', () => {
  it('lists escalations in scope by status, newest first', async () => {
    const older = await escalation({ building: 'b2', minutesAgo: 30 });
    const newer = await escalation({ building: 'b2', minutesAgo: 5 });
    await answer(older.id, staff.committee);
    const ids = async (q: string, who: Who = staff.committee) => (await api('GET', `/api/escalations${q}`, who.token)).body.escalations.map((e: any) => e.id);
    expect(await ids('?building=b2')).toEqual([newer.id, older.id]);
    expect(await ids('?building=b2&status=open')).toEqual([newer.id]);
    expect(await ids('?building=b2&status=answered')).toEqual([older.id]);
    expect(await ids('?community=c1&building=b2', staff.government)).toEqual([newer.id, older.id]);
    expect(await ids('', staff.b1Committee)).not.toContain(newer.id);
    expect(await ids('', staff.outsider)).toEqual([]);
    const [e] = (await api('GET', `/api/escalations?building=b2&status=open`, staff.committee.token)).body.escalations;
    expect(e).toMatchObject({ reason: 'asked', flow: 'supply-request', step: 'items', lastInput: '人工', community: 'c1', building: 'b2', answer: null });
    expect((await api('GET', '/api/escalations?status=closed', staff.committee.token)).body.details.field).toBe('status');
  });

  it('an unregistered resident’s escalation belongs to no community: only a platform admin reaches it', async () => {
    const { id, openid } = await escalation({ registered: false });
    expect((await api('GET', '/api/escalations?status=open&limit=500', staff.committee.token)).body.escalations.map((e: any) => e.id)).not.toContain(id);
    expect((await api('GET', '/api/escalations?status=open&limit=500', staff.admin.token)).body.escalations.map((e: any) => e.id)).toContain(id);
    expect((await answer(id, staff.committee)).body.error).toBe('forbidden_scope');
    expect((await answer(id, staff.admin)).status).toBe(200);
    expect(sends(openid)).toHaveLength(1);
  });

  it('answering is the committee’s; reading also the street office’s', async () => {
    const { id } = await escalation();
    expect((await answer(id, staff.government)).body.error).toBe('forbidden_role');
    expect((await answer(id, staff.outsider)).body.error).toBe('forbidden_scope');
    expect((await answer(id, staff.b1Committee)).status).toBe(200);
    expect((await api('GET', '/api/escalations', staff.party.token)).body.error).toBe('forbidden_role');
    expect((await api('GET', '/api/escalations?community=c1', staff.outsider.token)).body.error).toBe('forbidden_scope');
    expect((await answer(new Types.ObjectId().toHexString(), staff.committee)).status).toBe(404);
  });
});
