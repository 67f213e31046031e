/**
 * The supply-request staff API end to end: real Koa app, Redis (the supply-notify queue and its
 * worker in-process), FerretDB and the mock WeChat API recording what residents are sent. The
 * clock is fixed, so priorities are exact.
 */
import type { Worker } from 'bullmq';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supplyNotifyWorker } from '../../../bot/workers/supply-notify.js';
import { residentIdFor } from '../../../models/resident.js';
import type { SupplyCategory, SupplyRequestEvent, SupplyStatus } from '../../../models/supply-request.js';
import { supplyEventIdFor } from '../../../handlers/supplies/workflow.js';
import { startMockWechatApi, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { createTestRuntime, seedPlaces, type TestRuntime } from '../../support/runtime.js';
import { COMMON_CAST, createCast, serveStaffApi, type ApiCall, type CastMember, type Who } from '../../support/staff-api.js';
import { waitFor } from '../../support/wait-for.js';

const NOW = new Date('2026-11-28T02:00:00Z'); // 10:00 in Shanghai
let t: TestRuntime;
let mock: MockWechatApi;
let stopHttp: () => Promise<void>;
let worker: Worker;
let api: ApiCall;

const CAST = {
  ...COMMON_CAST,
  so1: ['social_org', { community: 'c1' }, 'Red Cross team'],
  so2: ['social_org', { community: 'c1' }, 'Medical team'],
  prop: ['property', { community: 'c1' }, 'Property c1'],
  propC2: ['property', { community: 'c2' }, 'Property c2'],
  lead: ['volunteer_lead', { community: 'c1' }, 'Lead'],
  revoked: ['social_org', { community: 'c1' }, 'Gone'],
  streetGov: ['government', { street: 's2' }, 'Other street'],
} as const satisfies Record<string, CastMember>;
let staff: { [K in keyof typeof CAST]: Who };

beforeAll(async () => {
  mock = await startMockWechatApi({ port: 0 });
  t = await createTestRuntime({ dbPrefix: 'supplies_api', clock: { now: () => NOW }, env: { WECHAT_API_BASE: mock.url, WECHAT_NOTICE_TEMPLATE_ID: 'tmpl-1' } });
  await seedPlaces(t.rt.models);
  await t.rt.models.Building.create([
    { code: 'b3', name: 'Building 3', communityCode: 'c1', streetCode: 's1' },
    { code: 'b4', name: 'Building 4', communityCode: 'c1', streetCode: 's1' },
  ]);
  staff = await createCast(t.rt.models, CAST);
  await t.rt.models.StaffUser.updateOne({ _id: staff.revoked.id }, { $set: { revokedAt: NOW } });
  ({ api, close: stopHttp } = await serveStaffApi(t));
  worker = supplyNotifyWorker(t.rt);
});

afterAll(async () => {
  await worker?.close();
  await stopHttp?.();
  await t?.close();
  await mock?.close();
});

let seq = 0;
/** A resident inside their 48-hour window (so notifications go out as customer-service messages). */
async function resident(building: string, community = 'c1'): Promise<{ id: string; openid: string }> {
  const openid = `o-supply-${++seq}`;
  const _id = residentIdFor('wechat', openid);
  await t.rt.models.Resident.create({
    _id,
    channel: 'wechat',
    openid,
    subscribed: true,
    lastInboundAt: new Date(NOW.getTime() - 3600_000),
    registration: { streetCode: 's1', communityCode: community, buildingCode: building, room: '101', registeredAt: NOW },
    mobile: '+8613812345678',
  });
  return { id: String(_id), openid };
}

interface RequestSpec {
  building: string;
  community?: string;
  category?: SupplyCategory;
  urgency?: 'today' | 'three_days';
  vulnerable?: string[];
  ageH?: number;
  status?: SupplyStatus;
  who?: { id: string };
}
/** A request as the conversation stores it: the document and its creation event (seq 1). */
async function request(o: RequestSpec): Promise<{ id: string; ticket: string }> {
  const _id = new Types.ObjectId();
  const createdAt = new Date(NOW.getTime() - (o.ageH ?? 1) * 3600_000);
  const residentId = o.who?.id ?? (await resident(o.building, o.community)).id;
  const ticket = `S-20261128-${String(++seq).padStart(4, '0')}`;
  await t.rt.models.SupplyRequest.create({
    _id,
    ticket,
    communityCode: o.community ?? 'c1',
    buildingCode: o.building,
    room: '101',
    residentId,
    category: o.category ?? 'food',
    items: '大米 5 斤',
    urgency: o.urgency ?? 'today',
    address: `${o.building} 101`,
    vulnerable: o.vulnerable ?? [],
    status: o.status ?? 'submitted',
    seq: 1,
    createdAt,
    updatedAt: createdAt,
    sourceKey: `key-${ticket}`,
  });
  await t.rt.models.SupplyRequestEvent.create({
    _id: supplyEventIdFor(_id, 1),
    requestId: _id,
    seq: 1,
    from: null,
    to: 'submitted',
    actorId: residentId,
    actorName: 'resident',
    at: createdAt,
    notifiedAt: createdAt,
  });
  return { id: String(_id), ticket };
}

async function act(id: string, action: string, who: Who, body: unknown = {}) {
  const res = await api('POST', `/api/supply-requests/${id}/${action}`, who.token, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** Every event of the request told to the resident and the notify queue empty. */
async function notificationsSettled(requestId: string): Promise<SupplyRequestEvent[]> {
  return waitFor(`notifications of ${requestId}`, async () => {
    const events = await t.rt.models.SupplyRequestEvent.find({ requestId }).sort({ seq: 1 }).lean<SupplyRequestEvent[]>();
    const counts = await t.rt.queues.supplyNotify.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return events.every((e) => e.notifiedAt) && Object.values(counts).every((n) => n === 0) ? events : null;
  });
}

const sendsTo = (openid: string) =>
  mock
    .calls()
    .filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && (c.body as { touser?: string }).touser === openid)
    .map((c) => (c.body as { text?: { content: string } }).text?.content ?? '');

describe('the list, in triage order', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.threeDays = (await request({ building: 'b3', urgency: 'three_days', ageH: 2 })).id; // 20 + 2
    ids.today = (await request({ building: 'b3', urgency: 'today', ageH: 1 })).id; // 50 + 1
    ids.vulnerableMedicine = (await request({ building: 'b3', category: 'medicine', vulnerable: ['elderlyAlone', 'chronicIllness'], ageH: 0.5 })).id; // 50 + 10 + 20 + 0.5
    ids.overdue = (await request({ building: 'b3', urgency: 'three_days', category: 'other', ageH: 80 })).id; // 20 + 80 + 2 × 8
    ids.delivered = (await request({ building: 'b3', status: 'delivered', ageH: 3 })).id;
    ids.rejected = (await request({ building: 'b3', status: 'rejected', ageH: 5 })).id;
    ids.c2 = (await request({ building: 'b1', community: 'c2' })).id;
  });

  it('orders open requests by priority computed now, closed ones last', async () => {
    const res = await api('GET', '/api/supply-requests?building=b3', staff.committee.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.requests.map((r: any) => [r.id, r.priority])).toEqual([
      [ids.overdue, 116],
      [ids.vulnerableMedicine, 80.5],
      [ids.today, 51],
      [ids.threeDays, 22],
      [ids.delivered, null],
      [ids.rejected, null],
    ]);
    expect(res.body).toMatchObject({ total: 6, next: null });
    expect(res.body.requests[1]).toMatchObject({
      category: 'medicine',
      vulnerable: ['elderlyAlone', 'chronicIllness'],
      status: 'submitted',
      seq: 1,
      assignee: null,
    });
  });

  it('filters by status, category, open, assignee and pages by offset', async () => {
    const list = async (q: string, who = staff.committee) => {
      const res = await api('GET', `/api/supply-requests?building=b3&${q}`, who.token);
      expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.requests.map((r: any) => r.id);
    };
    expect(await list('category=medicine')).toEqual([ids.vulnerableMedicine]);
    expect(await list('open=false')).toEqual([ids.delivered, ids.rejected]);
    expect(await list('open=false&limit=1&offset=1')).toEqual([ids.rejected]);
    expect(await list('open=true')).toHaveLength(4);
    expect(await list('status=delivered')).toEqual([ids.delivered]);
    expect(await list('status=delivered&open=true')).toEqual([]);
    expect(await list('assignee=none&open=true')).toHaveLength(4);
    expect(await list('assignee=me')).toEqual([]);
    const page = await api('GET', '/api/supply-requests?building=b3&limit=2&offset=2', staff.committee.token);
    expect(page.body).toMatchObject({ total: 6, next: 4 });
    expect(page.body.requests.map((r: any) => r.id)).toEqual([ids.today, ids.threeDays]);
    // a page across the open/closed boundary, and the last one
    expect(await list('limit=3&offset=3')).toEqual([ids.threeDays, ids.delivered, ids.rejected]);
    expect((await api('GET', '/api/supply-requests?building=b3&limit=3&offset=3', staff.committee.token)).body.next).toBeNull();
    expect(await list('offset=10')).toEqual([]);
  });

  it('shows each account its scope: a street sees its communities, a building account its building, others nothing', async () => {
    const ids_ = async (who: Who, q = '') => (await api('GET', `/api/supply-requests?limit=500${q}`, who.token)).body.requests.map((r: any) => r.id);
    expect(await ids_(staff.government)).toEqual(expect.arrayContaining([ids.overdue, ids.c2]));
    expect(await ids_(staff.committee)).not.toContain(ids.c2);
    expect(await ids_(staff.outsider)).toEqual([]);
    expect(await ids_(staff.b1Committee)).not.toContain(ids.overdue);
    expect(await ids_(staff.party)).toContain(ids.overdue);
    const denied = await api('GET', '/api/supply-requests?community=c1', staff.outsider.token);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('forbidden_scope');
    expect((await api('GET', '/api/supply-requests?building=b3', staff.b1Committee.token)).body.error).toBe('forbidden_scope');
    expect((await api('GET', '/api/supply-requests?community=c9', staff.government.token)).status).toBe(404);
  });

  it('logs every read with who, the filter and the count', async () => {
    await api('GET', '/api/supply-requests?building=b3&category=medicine', staff.party.token);
    const log = await t.rt.models.AccessLog.findOne({ actorId: staff.party.id, resource: 'supply_requests', 'query.category': 'medicine' }).lean();
    expect(log).toMatchObject({ actorName: 'Party Qian', role: 'party', count: 1, query: { building: 'b3', category: 'medicine', limit: 50, offset: 0 } });
  });

  it.each([
    ['status=lost', 'status'],
    ['category=toys', 'category'],
    ['open=yes', 'open'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['offset=-1', 'offset'],
    ['assignee=someone', 'assignee'],
    ['building=b3&building=b4', 'building'],
    ['colour=red', 'colour'],
  ])('400 for ?%s, naming the field', async (q, field) => {
    const res = await api('GET', `/api/supply-requests?${q}`, staff.committee.token);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field, reason: expect.any(String) } });
  });

  it('a building without a community is 400 for a street account', async () => {
    const res = await api('GET', '/api/supply-requests?building=b3', staff.government.token);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field: 'building' } });
  });
});

describe('status changes', () => {
  it('accept → assign → in transit → delivered: each told to the resident exactly once', async () => {
    const who = await resident('b2');
    const { id, ticket } = await request({ building: 'b2', who });
    const accepted = await act(id, 'accept', staff.committee, { quantities: [{ item: '大米', quantity: 5, unit: '斤' }], expectedSeq: 1 });
    expect(accepted).toMatchObject({ status: 'accepted', seq: 2, quantities: [{ item: '大米', quantity: 5, unit: '斤' }] });
    expect(await act(id, 'assign', staff.committee, { assignee: staff.so1.id, expectedSeq: 2 })).toMatchObject({
      status: 'assigned',
      assignee: { kind: 'social_org', staffId: staff.so1.id, name: 'Red Cross team' },
    });
    expect(await act(id, 'in-transit', staff.so1)).toMatchObject({ status: 'in_transit' });
    expect(await act(id, 'deliver', staff.so1, { expectedSeq: 4 })).toMatchObject({ status: 'delivered', seq: 5, priority: null });

    const events = await notificationsSettled(id);
    expect(events.map((e) => [e.seq, e.from, e.to, e.actorName])).toEqual([
      [1, null, 'submitted', 'resident'],
      [2, 'submitted', 'accepted', 'Committee Li'],
      [3, 'accepted', 'assigned', 'Committee Li'],
      [4, 'assigned', 'in_transit', 'Red Cross team'],
      [5, 'in_transit', 'delivered', 'Red Cross team'],
    ]);
    const sent = sendsTo(who.openid);
    expect(sent).toHaveLength(4);
    expect(sent.every((s) => s.includes(ticket))).toBe(true);
    expect(sent[0]).toContain('已受理');
    expect(sent[1]).toContain('Red Cross team');
    expect(sent[2]).toContain('配送中');
    expect(sent[3]).toContain('已送达');

    // Queueing an event's notification again, or running it again, sends nothing more.
    const { inboundJobs } = await import('../../../bot/conversation.js');
    await inboundJobs(t.rt.queues).notifySupplyEvent(String(events[2]!._id));
    await notificationsSettled(id);
    expect(sendsTo(who.openid)).toHaveLength(4);

    const detail = await api('GET', `/api/supply-requests/${id}`, staff.committee.token);
    expect(detail.body.events.map((e: any) => e.to)).toEqual(['submitted', 'accepted', 'assigned', 'in_transit', 'delivered']);
    expect(detail.body.events[1]).toMatchObject({ quantities: [{ item: '大米', quantity: 5, unit: '斤' }], notifiedAt: expect.any(String) });
    expect((await api('POST', `/api/supply-requests/${id}/cancel`, staff.committee.token, { reason: 'late' })).body.error).toBe('conflict_state');
  });

  it('reject and cancel carry the reason to the resident', async () => {
    const a = await resident('b2');
    const b = await resident('b2');
    const rejected = await request({ building: 'b2', who: a });
    const cancelled = await request({ building: 'b2', who: b });
    expect(await act(rejected.id, 'reject', staff.committee, { reason: '  超出配送范围  ' })).toMatchObject({ status: 'rejected', reason: '超出配送范围' });
    await act(cancelled.id, 'accept', staff.committee);
    expect(await act(cancelled.id, 'cancel', staff.committee, { reason: '居民已自行购买' })).toMatchObject({ status: 'cancelled' });
    await notificationsSettled(rejected.id);
    await notificationsSettled(cancelled.id);
    expect(sendsTo(a.openid)).toEqual([expect.stringContaining('超出配送范围')]);
    expect(sendsTo(b.openid)).toEqual([expect.stringContaining('已受理'), expect.stringContaining('居民已自行购买')]);
  });

  it('two staff changing the same request at once: one 200, one 409, one notification', async () => {
    const who = await resident('b2');
    const { id } = await request({ building: 'b2', who });
    const [x, y] = await Promise.all([
      api('POST', `/api/supply-requests/${id}/accept`, staff.committee.token, {}),
      api('POST', `/api/supply-requests/${id}/accept`, staff.committee2.token, {}),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    expect([x, y].find((r) => r.status === 409)!.body.error).toBe('conflict_state');
    const events = await notificationsSettled(id);
    expect(events.map((e) => e.to)).toEqual(['submitted', 'accepted']);
    expect(sendsTo(who.openid)).toHaveLength(1);
  });

  it('a stale expectedSeq is 409 and changes nothing', async () => {
    const { id } = await request({ building: 'b2' });
    await act(id, 'accept', staff.committee);
    const stale = await api('POST', `/api/supply-requests/${id}/reject`, staff.committee2.token, { reason: 'duplicate', expectedSeq: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'conflict_state', message: expect.stringContaining('changed meanwhile') });
    expect((await api('GET', `/api/supply-requests/${id}`, staff.committee.token)).body).toMatchObject({ status: 'accepted', seq: 2 });
  });

  it.each([
    ['an unknown account', () => new Types.ObjectId().toHexString(), 'is not a staff account'],
    ['a volunteer lead', () => staff.lead.id, 'volunteer_lead'],
    ['a property account of another community', () => staff.propC2.id, 'does not cover'],
    ['a revoked account', () => staff.revoked.id, 'revoked'],
    ['not an id', () => 'Wang', 'must be an id'],
  ])('assigning to %s is 400 on assignee', async (_, assignee, why) => {
    const { id } = await request({ building: 'b2' });
    await act(id, 'accept', staff.committee);
    const res = await api('POST', `/api/supply-requests/${id}/assign`, staff.committee.token, { assignee: assignee() });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field: 'assignee', reason: expect.stringContaining(why) } });
  });

  it.each([
    ['reject', {}, 'reason'],
    ['reject', { reason: '   ' }, 'reason'],
    ['cancel', { reason: 'x'.repeat(201) }, 'reason'],
    ['accept', { quantities: [{ item: '大米', quantity: -1 }] }, 'quantities'],
    ['accept', { quantities: [] }, 'quantities'],
    ['accept', { expectedSeq: 0 }, 'expectedSeq'],
    ['assign', {}, 'assignee'],
    ['deliver', { note: 'left at the door' }, 'note'],
  ])('%s with %j is 400 on %s', async (action, body, field) => {
    const { id } = await request({ building: 'b2' });
    const res = await api('POST', `/api/supply-requests/${id}/${action}`, staff.committee.token, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field } });
  });
});

describe('who may do what', () => {
  it('social organisations and property companies see and handle only what is assigned to them', async () => {
    const { id } = await request({ building: 'b4' });
    const list = async (who: Who) => (await api('GET', '/api/supply-requests?building=b4', who.token)).body.requests.map((r: any) => r.id);
    expect(await list(staff.prop)).toEqual([]);
    expect((await api('GET', `/api/supply-requests/${id}`, staff.prop.token)).body.error).toBe('not_assignee');
    expect((await api('POST', `/api/supply-requests/${id}/deliver`, staff.prop.token, {})).body.error).toBe('not_assignee');
    await act(id, 'accept', staff.committee);
    await act(id, 'assign', staff.committee, { assignee: staff.prop.id });
    expect(await list(staff.prop)).toEqual([id]);
    expect(await list(staff.so1)).toEqual([]);
    expect((await api('POST', `/api/supply-requests/${id}/in-transit`, staff.so1.token, {})).body.error).toBe('not_assignee');
    // The assignee phones the resident: the full number, and the read is logged.
    const detail = await api('GET', `/api/supply-requests/${id}`, staff.prop.token);
    expect(detail.body.contact).toEqual({ mobile: '+8613812345678', masked: false });
    expect(await t.rt.models.AccessLog.countDocuments({ actorId: staff.prop.id, resource: 'resident_mobile', 'query.supplyRequest': id })).toBe(1);
    expect((await api('GET', `/api/supply-requests/${id}`, staff.government.token)).body.contact).toEqual({ mobile: '138****5678', masked: true });
    expect(await act(id, 'deliver', staff.prop)).toMatchObject({ status: 'delivered' });
    // Reassigned away, it is out of sight again.
    const other = await request({ building: 'b4' });
    await act(other.id, 'accept', staff.committee);
    await act(other.id, 'assign', staff.committee, { assignee: staff.so1.id });
    await act(other.id, 'assign', staff.committee, { assignee: staff.so2.id });
    expect(await list(staff.so1)).toEqual([]);
    expect(await list(staff.so2)).toEqual([other.id]);
  });

  it('triage is the committee’s: other roles get forbidden_role, other places forbidden_scope', async () => {
    const { id } = await request({ building: 'b2' });
    for (const [who, action] of [
      [staff.so1, 'accept'],
      [staff.prop, 'assign'],
      [staff.government, 'reject'],
      [staff.party, 'cancel'],
      [staff.admin, 'accept'],
      [staff.party, 'deliver'],
    ] as const) {
      const res = await api('POST', `/api/supply-requests/${id}/${action}`, who.token, { reason: 'x', assignee: staff.so1.id });
      expect(res.status, `${action} by ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error).toBe('forbidden_role');
    }
    for (const who of [staff.lead, staff.admin]) expect((await api('GET', '/api/supply-requests', who.token)).body.error).toBe('forbidden_role');
    for (const who of [staff.outsider, staff.b1Committee])
      expect((await api('POST', `/api/supply-requests/${id}/accept`, who.token, {})).body.error).toBe('forbidden_scope');
    for (const who of [staff.outsider, staff.b1Committee, staff.streetGov])
      expect((await api('GET', `/api/supply-requests/${id}`, who.token)).body.error).toBe('forbidden_scope');
    expect((await api('GET', `/api/supply-requests/${new Types.ObjectId().toHexString()}`, staff.committee.token)).status).toBe(404);
    expect((await api('GET', '/api/supply-requests', null)).status).toBe(401);
  });
});
