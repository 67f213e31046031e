/**
 * The notices staff API end to end: real Koa app, Redis (BullMQ fan-out queue) and FerretDB.
 * People: an author (committee, no duties), a verifier, an editor (street-level) and a releaser,
 * plus accounts to break the rules with.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { fanoutJobId } from '../../../bot/broadcast/queue-port.js';
import { markCompleted, markSending } from '../../../handlers/notices/broadcast-state.js';
import { redisBroadcastStore } from '../../../bot/broadcast/store.js';
import { batchIdFor, encodeMember } from '../../../models/delivery.js';
import { logEntryIdFor } from '../../../models/delivery-log.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, type TestRuntime } from '../../support/runtime.js';
import type { Duty, Role } from '../../../models/staff-user.js';

let t: TestRuntime;
let base: string;
let stopHttp: () => Promise<void>;

interface Person {
  token: string;
  id: string;
}
const people = {} as Record<
  'author' | 'verifier' | 'editor' | 'releaser' | 'allDuties' | 'allDuties2' | 'streetAuthor' | 'outsider' | 'property' | 'noDuty',
  Person
>;

async function person(role: Role, scope: { street?: string; community?: string }, duties: Duty[] = [], name?: string): Promise<Person> {
  return staffAccount(t.rt.models, { role, ...scope, duties, ...(name ? { name } : {}) });
}

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'notices' });
  await seedPlaces(t.rt.models);
  Object.assign(people, {
    author: await person('committee', { community: 'c1' }, [], 'Author Li'),
    verifier: await person('party', { community: 'c1' }, ['verify'], 'Verifier Zhang'),
    editor: await person('government', { street: 's1' }, ['edit'], 'Editor Chen'),
    releaser: await person('party', { community: 'c1' }, ['release'], 'Releaser Wang'),
    allDuties: await person('government', { street: 's1' }, ['verify', 'edit', 'release'], 'All Duties Zhao'),
    allDuties2: await person('admin', {}, ['verify', 'edit', 'release'], 'Admin Sun'),
    streetAuthor: await person('government', { street: 's1' }, [], 'Street Author'),
    outsider: await person('committee', { community: 'c3' }, ['verify', 'edit', 'release'], 'Outsider'),
    property: await person('property', { community: 'c1' }, ['verify', 'edit', 'release'], 'Property'),
    noDuty: await person('committee', { community: 'c1' }, [], 'No Duty'),
  });
  await seedResidents();
  const http = await serveApp(createApp(t.rt));
  base = http.url;
  stopHttp = http.close;
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
});

let openid = 0;
function resident(o: Record<string, unknown>) {
  return { channel: 'wechat', openid: `o-${++openid}`, subscribed: true, ...o };
}
/** c1: 6 subscribed (+1 unsubscribed), c2: 2, c3: 1. */
async function seedResidents() {
  await t.rt.models.Resident.insertMany([
    resident({ registration: { communityCode: 'c1', buildingCode: 'b1' }, isVulnerable: true, volunteerStatus: 'approved', tags: ['dialysis'] }), // in 4 groups
    resident({ registration: { communityCode: 'c1', buildingCode: 'b1' } }),
    resident({ registration: { communityCode: 'c1', buildingCode: 'b2' }, isVulnerable: true }),
    resident({ registration: { communityCode: 'c1', buildingCode: 'b2' }, volunteerStatus: 'pending' }),
    resident({ registration: { communityCode: 'c1', buildingCode: 'b2' }, tags: ['dialysis', 'floor-1'] }),
    resident({ registration: { communityCode: 'c1' }, volunteerStatus: 'approved' }),
    resident({ registration: { communityCode: 'c1', buildingCode: 'b1' }, isVulnerable: true, subscribed: false }),
    resident({ registration: { communityCode: 'c2' }, isVulnerable: true }),
    resident({ registration: { communityCode: 'c2' }, tags: ['dialysis'] }),
    resident({ registration: { communityCode: 'c3' }, isVulnerable: true }),
  ]);
}

async function api(method: string, path: string, who?: Person | null, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const notice = (over: Record<string, unknown> = {}) => ({ title: '停水通知', body: '明天 8:00–12:00 停水。\n请提前储水。', targets: { all: true }, ...over });

async function create(who: Person = people.author, over: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/api/notices', who, notice(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}
async function step(id: string, action: string, who: Person, body: unknown = {}) {
  const res = await api('POST', `/api/notices/${id}/${action}`, who, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}
async function toEdited(over: Record<string, unknown> = {}): Promise<string> {
  const id = await create(people.author, over);
  await step(id, 'verify', people.verifier);
  await step(id, 'edit', people.editor);
  return id;
}
const fanoutJob = (id: string) => t.rt.queues.noticeFanout.getJob(fanoutJobId(id));

describe('guards on every notice route', () => {
  const someId = new Types.ObjectId().toHexString();
  const routes: Array<[string, string]> = [
    ['POST', '/api/notices/preview-targets'],
    ['POST', '/api/notices'],
    ['GET', '/api/notices'],
    ['GET', `/api/notices/${someId}`],
    ['PATCH', `/api/notices/${someId}`],
    ...['verify', 'edit', 'release', 'reject', 'cancel'].map((a) => ['POST', `/api/notices/${someId}/${a}`] as [string, string]),
  ];
  it.each(routes)('%s %s: 401 without a token, 403 forbidden_role for a property account', async (method, path) => {
    const anon = await api(method, path, null, method === 'GET' ? undefined : {});
    expect(anon.status).toBe(401);
    expect(anon.body.error).toBe('unauthorized');
    const wrong = await api(method, path, people.property, method === 'GET' ? undefined : notice());
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe('forbidden_role');
  });

  it('an unknown notice is 404, a notice outside the scope 403 forbidden_scope', async () => {
    expect((await api('GET', `/api/notices/${someId}`, people.author)).status).toBe(404);
    expect((await api('GET', '/api/notices/not-an-id', people.author)).status).toBe(404);
    const id = await create();
    for (const [method, path] of [
      ['GET', `/api/notices/${id}`],
      ['PATCH', `/api/notices/${id}`],
      ['POST', `/api/notices/${id}/verify`],
      ['POST', `/api/notices/${id}/cancel`],
    ] as const) {
      const res = await api(method, path, people.outsider, method === 'GET' ? undefined : { title: 'x' });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toBe('forbidden_scope');
    }
  });
});

describe('the full audit: author → verify → edit → release by four people', () => {
  it('records every step, the edit as a diff, and starts one broadcast', async () => {
    const created = await api('POST', '/api/notices', people.author, notice());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), status: 'draft' });
    const id = created.body.id as string;

    expect(await step(id, 'verify', people.verifier, { comment: '内容属实', version: 1 })).toMatchObject({ status: 'verified', version: 2 });
    const newBody = '明天 9:00–12:00 停水。\n请提前储水。\n咨询电话 12345。';
    expect(await step(id, 'edit', people.editor, { body: newBody, comment: '更正时间' })).toMatchObject({ status: 'edited', version: 3 });
    expect(await step(id, 'release', people.releaser)).toMatchObject({ status: 'released', version: 4, broadcastQueued: true });

    const got = await api('GET', `/api/notices/${id}`, people.author);
    expect(got.status).toBe(200);
    const { notice: n, audit, progress } = got.body;
    expect(n).toMatchObject({
      id,
      status: 'released',
      body: newBody,
      title: '停水通知',
      version: 4,
      round: 1,
      scope: { streetCode: 's1', communityCode: 'c1' },
      author: { id: people.author.id, name: 'Author Li' },
    });
    expect(n.duties).toMatchObject({
      verify: { id: people.verifier.id, name: 'Verifier Zhang' },
      edit: { id: people.editor.id, name: 'Editor Chen' },
      release: { id: people.releaser.id, name: 'Releaser Wang' },
    });
    expect(n.releasedAt).toEqual(expect.any(String));
    expect(progress).toEqual({ total: 0, sent: 0, failed: 0, pending: 0, cancelled: 0 });

    expect(audit.map((e: any) => [e.seq, e.action, e.actor.name, e.from, e.to])).toEqual([
      [1, 'create', 'Author Li', null, 'draft'],
      [2, 'verify', 'Verifier Zhang', 'draft', 'verified'],
      [3, 'edit', 'Editor Chen', 'verified', 'edited'],
      [4, 'release', 'Releaser Wang', 'edited', 'released'],
    ]);
    expect(audit[0].diff).toMatchObject({ title: { to: '停水通知' }, targets: { to: { all: true } }, urgent: { to: false } });
    expect(audit[1]).toMatchObject({ duty: 'verify', comment: '内容属实', actor: { role: 'party' } });
    expect(audit[2]).toMatchObject({ duty: 'edit', comment: '更正时间' });
    expect(audit[2].diff).toEqual({
      body: {
        from: notice().body,
        to: newBody,
        lines: ['- 明天 8:00–12:00 停水。', '+ 明天 9:00–12:00 停水。', '  请提前储水。', '+ 咨询电话 12345。'],
      },
    });
    expect(audit[3]).toMatchObject({ duty: 'release', meta: { urgent: false, sendAt: null } });
    for (let i = 1; i < audit.length; i++) expect(audit[i].prevHash).toBe(audit[i - 1].hash);

    const job = await fanoutJob(id);
    expect(job).toBeDefined();
    expect(job!.data).toEqual({ noticeId: id });
    expect(job!.opts.priority).toBe(10);
    expect(job!.opts.delay ?? 0).toBe(0);

    // Releasing twice: 409, and still exactly one job.
    const again = await api('POST', `/api/notices/${id}/release`, people.allDuties);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('conflict_state');
    const jobs = await t.rt.queues.noticeFanout.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.noticeId === id)).toHaveLength(1);
  });
});

describe('separation of duties and duty grants', () => {
  it('the author may not perform any duty, even when granted all three', async () => {
    const author = await person('committee', { community: 'c1' }, ['verify', 'edit', 'release']);
    const id = await create(author);
    const res = await api('POST', `/api/notices/${id}/verify`, author);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'separation_of_duties', message: expect.stringContaining('author') });
    await step(id, 'verify', people.verifier);
    expect((await api('POST', `/api/notices/${id}/edit`, author)).body.error).toBe('separation_of_duties');
    await step(id, 'edit', people.editor);
    expect((await api('POST', `/api/notices/${id}/release`, author)).body.error).toBe('separation_of_duties');
    await step(id, 'release', people.releaser);
  });

  it.each([
    ['verify', 'edit'],
    ['verify', 'release'],
    ['edit', 'release'],
  ])('%s then %s by the same person: 403 separation_of_duties', async (first, second) => {
    const id = await create();
    const same = people.allDuties;
    const other = people.allDuties2;
    // walk to the state before `second`, with `same` performing `first` and `other` the rest
    for (const duty of ['verify', 'edit', 'release'] as const) {
      if (duty === second) break;
      await step(id, duty, duty === first ? same : other);
    }
    const res = await api('POST', `/api/notices/${id}/${second}`, same);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'separation_of_duties', details: { duty: second, performed: first } });
  });

  it('a missing duty: 403 forbidden_duty naming it', async () => {
    const id = await create();
    const res = await api('POST', `/api/notices/${id}/verify`, people.noDuty);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'forbidden_duty', message: expect.stringContaining('"verify"') });
    await step(id, 'verify', people.verifier);
    expect((await api('POST', `/api/notices/${id}/edit`, people.releaser)).body.error).toBe('forbidden_duty');
    await step(id, 'edit', people.editor);
    expect((await api('POST', `/api/notices/${id}/release`, people.verifier)).body.error).toBe('forbidden_duty');
  });

  it('two verifiers at once: one 200, one 409', async () => {
    const id = await create();
    const results = await Promise.all([api('POST', `/api/notices/${id}/verify`, people.verifier), api('POST', `/api/notices/${id}/verify`, people.allDuties)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toBe('conflict_state');
    const got = await api('GET', `/api/notices/${id}`, people.author);
    expect(got.body.audit.map((e: any) => e.action)).toEqual(['create', 'verify']);
  });
});

describe('reject', () => {
  it('needs a comment, sends the notice back to draft, and the chain continues', async () => {
    const id = await toEdited();
    const bare = await api('POST', `/api/notices/${id}/reject`, people.releaser, {});
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('comment') });
    expect((await api('POST', `/api/notices/${id}/reject`, people.noDuty, { comment: 'no' })).body.error).toBe('forbidden_duty');
    expect(await step(id, 'reject', people.releaser, { comment: '请补充联系电话' })).toMatchObject({ status: 'draft', round: 2 });

    // the author fixes it; a new round needs all three duties again
    const patched = await api('PATCH', `/api/notices/${id}`, people.author, { body: '明天停水。\n电话 12345。', comment: '已补充' });
    expect(patched.status).toBe(200);
    expect((await api('POST', `/api/notices/${id}/edit`, people.editor)).status).toBe(409);
    await step(id, 'verify', people.verifier);
    await step(id, 'edit', people.editor);
    await step(id, 'release', people.releaser);

    const { audit } = (await api('GET', `/api/notices/${id}`, people.author)).body;
    expect(audit.map((e: any) => `${e.seq}:${e.round}:${e.action}`)).toEqual([
      '1:1:create',
      '2:1:verify',
      '3:1:edit',
      '4:2:reject',
      '5:2:update',
      '6:2:verify',
      '7:2:edit',
      '8:2:release',
    ]);
    expect(audit[3]).toMatchObject({ comment: '请补充联系电话', from: 'edited', to: 'draft', actor: { name: 'Releaser Wang' } });
    expect(audit[4]).toMatchObject({ comment: '已补充', diff: { body: { to: '明天停水。\n电话 12345。' } } });
  });

  it('is 409 once released', async () => {
    const id = await toEdited();
    await step(id, 'release', people.releaser);
    expect((await api('POST', `/api/notices/${id}/reject`, people.verifier, { comment: 'late' })).status).toBe(409);
  });
});

describe('drafts', () => {
  it('only the author changes a draft, only while it is a draft', async () => {
    const id = await create();
    const other = await api('PATCH', `/api/notices/${id}`, people.noDuty, { title: 'mine now' });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('not_author');
    expect((await api('PATCH', `/api/notices/${id}`, people.author, { title: '新标题', urgent: true })).body).toMatchObject({ status: 'draft', version: 2 });
    await step(id, 'verify', people.verifier);
    const late = await api('PATCH', `/api/notices/${id}`, people.author, { title: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('conflict_state');
    const { notice: n } = (await api('GET', `/api/notices/${id}`, people.author)).body;
    expect(n).toMatchObject({ title: '新标题', urgent: true, status: 'verified' });
  });

  it('a verifier acting on a version they did not see gets 409', async () => {
    const id = await create();
    await api('PATCH', `/api/notices/${id}`, people.author, { body: 'changed after the verifier opened it' });
    const res = await api('POST', `/api/notices/${id}/verify`, people.verifier, { version: 1 });
    expect(res.status).toBe(409);
  });

  it.each([
    ['a missing title', { title: undefined }, 'title'],
    ['a title over 64 characters', { title: '通'.repeat(65) }, 'title'],
    ['a body over 2000 characters', { body: 'x'.repeat(2001) }, 'body'],
    ['a non-string body', { body: 42 }, 'body'],
    ['urgent as a string', { urgent: 'yes' }, 'urgent'],
    ['sendAt in the past', { sendAt: '2020-01-01T00:00:00Z' }, 'sendAt'],
    ['sendAt without a time zone', { sendAt: '2099-01-01T08:00:00' }, 'sendAt'],
    ['sendAt not a date', { sendAt: 'tomorrow' }, 'sendAt'],
    ['no targets', { targets: undefined }, 'targets'],
    ['empty targets', { targets: {} }, 'targets'],
    ['an unknown target group', { targets: { everyone: true } }, 'targets'],
    ['a malformed building', { targets: { buildings: [{ community: 'c1' }] } }, 'targets.buildings'],
    ['an unknown community', { targets: { communities: ['c9'] } }, 'targets'],
    ['an unknown building', { targets: { buildings: [{ community: 'c1', building: 'b9' }] } }, 'targets'],
    ['an unknown field', { colour: 'red' }, undefined],
  ])('400 for %s', async (_, over, field) => {
    const res = await api('POST', '/api/notices', people.author, notice(over as Record<string, unknown>));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', message: expect.any(String) });
    if (field) expect(res.body.details?.field).toBe(field);
  });

  it('accepts exactly 64 and 2000 characters', async () => {
    const res = await api('POST', '/api/notices', people.author, notice({ title: '通'.repeat(64), body: 'x'.repeat(2000) }));
    expect(res.status).toBe(201);
  });
});

describe('targets', () => {
  const preview = async (who: Person, targets: unknown) => api('POST', '/api/notices/preview-targets', who, { targets });

  it('counts a resident in several groups once', async () => {
    // c1 residents: #1 is in b1, vulnerable, a volunteer and tagged; #2 b1; #3 vulnerable; #5 tagged; #6 volunteer
    const res = await preview(people.author, { buildings: [{ community: 'c1', building: 'b1' }], vulnerable: true, volunteers: true, tags: ['dialysis'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 5 });
    expect((await preview(people.author, { vulnerable: true })).body).toEqual({ count: 2 });
    expect((await preview(people.author, { communities: ['c1'], vulnerable: true })).body).toEqual({ count: 6 });
  });

  it('`all` is every subscribed resident in the caller’s scope', async () => {
    expect((await preview(people.author, { all: true })).body).toEqual({ count: 6 });
    expect((await preview(people.streetAuthor, { all: true })).body).toEqual({ count: 8 });
    expect((await preview(people.streetAuthor, { tags: ['dialysis'] })).body).toEqual({ count: 3 });
    expect((await preview(people.streetAuthor, { communities: ['c2'] })).body).toEqual({ count: 2 });
    expect((await preview(people.allDuties2, { all: true })).body).toEqual({ count: 9 });
  });

  it('targets outside the scope are 403 forbidden_scope, for preview and for a notice', async () => {
    for (const targets of [{ communities: ['c2'] }, { buildings: [{ community: 'c3', building: 'b1' }] }, { communities: ['c1', 'c3'] }]) {
      const res = await preview(people.author, targets);
      expect(res.status, JSON.stringify(targets)).toBe(targets.buildings ? 400 : 403); // c3 has no b1: unknown building
    }
    expect((await preview(people.author, { communities: ['c2'] })).body.error).toBe('forbidden_scope');
    const created = await api('POST', '/api/notices', people.author, notice({ targets: { communities: ['c3'] } }));
    expect(created.status).toBe(403);
    expect(created.body.error).toBe('forbidden_scope');
    const id = await create();
    const patched = await api('PATCH', `/api/notices/${id}`, people.author, { targets: { communities: ['c2'] } });
    expect(patched.body.error).toBe('forbidden_scope');
    expect((await preview(people.streetAuthor, { communities: ['c3'] })).body.error).toBe('forbidden_scope');
  });
});

describe('release, schedule and cancel', () => {
  it('an urgent notice gets the high-priority fan-out job', async () => {
    const id = await toEdited({ urgent: true });
    await step(id, 'release', people.releaser);
    expect((await fanoutJob(id))!.opts.priority).toBe(1);
  });

  it('a scheduled release creates a delayed job; cancelling removes it', async () => {
    const sendAt = new Date(Date.now() + 2 * 3600_000);
    const id = await toEdited({ sendAt: sendAt.toISOString() });
    const before = Date.now();
    await step(id, 'release', people.releaser);
    const job = (await fanoutJob(id))!;
    expect(await job.getState()).toBe('delayed');
    expect(job.opts.delay).toBeGreaterThan(sendAt.getTime() - before - 60_000);
    expect(job.opts.delay).toBeLessThanOrEqual(sendAt.getTime() - before);

    // the author cannot stop a released notice; a release-duty holder can
    expect((await api('POST', `/api/notices/${id}/cancel`, people.author)).body.error).toBe('forbidden_duty');
    expect(await step(id, 'cancel', people.allDuties, { comment: '活动取消' })).toMatchObject({ status: 'cancelled', fanoutRemoved: true });
    expect(await fanoutJob(id)).toBeUndefined();
    expect((await api('POST', `/api/notices/${id}/cancel`, people.allDuties)).status).toBe(409);
    const { notice: n, audit } = (await api('GET', `/api/notices/${id}`, people.author)).body;
    expect(n).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    expect(audit.at(-1)).toMatchObject({ action: 'cancel', from: 'released', to: 'cancelled', comment: '活动取消' });
  });

  it('the author may withdraw a draft', async () => {
    const id = await create();
    expect(await step(id, 'cancel', people.author)).toMatchObject({ status: 'cancelled', fanoutRemoved: false });
    expect((await api('POST', `/api/notices/${id}/verify`, people.verifier)).status).toBe(409);
  });
});

describe('reading notices', () => {
  it('shows delivery progress from the batches’ logs', async () => {
    const id = await toEdited();
    await step(id, 'release', people.releaser);
    // One batch of seven, and a log that took each member to a different state.
    const noticeId = new Types.ObjectId(id);
    const batchId = batchIdFor(id, 0);
    const members = Array.from({ length: 7 }, (_, i) =>
      encodeMember({ residentId: new Types.ObjectId().toHexString(), openid: `d-${i}`, inboundAt: null, kfSent: 0 }),
    );
    await t.rt.models.DeliveryBatch.insertMany([{ _id: batchId, noticeId, batchNo: 0, urgent: false, members, createdAt: new Date() }]);
    const at = new Date();
    const entry = (seq: number, claims: number[], outcomes: Array<Record<string, unknown>>) => ({
      _id: logEntryIdFor(batchId, seq),
      batchId,
      noticeId,
      batchNo: 0,
      seq,
      run: 'w:1#1',
      at,
      claims,
      outcomes,
    });
    await t.rt.models.DeliveryLog.insertMany([
      entry(0, [0, 1, 2, 3, 4, 5, 6], []),
      entry(
        1,
        [],
        [
          { m: 0, status: 'sent', at, channel: 'template' },
          { m: 1, status: 'sent', at, channel: 'kf' },
          { m: 2, status: 'sent', at, channel: 'template' },
          { m: 3, status: 'failed', at, failReason: 'unsubscribed', errcode: 43004 },
          { m: 4, status: 'retry', at, errcode: -1 },
          { m: 6, status: 'cancelled', at },
        ],
      ),
    ]);
    const { progress } = (await api('GET', `/api/notices/${id}`, people.author)).body;
    expect(progress).toEqual({ total: 7, sent: 3, failed: 1, pending: 2, cancelled: 1 }); // member 5 still sending, 4 to retry
  });

  it('while sending, shows the live tally; once completed, the figures recorded at completion', async () => {
    const id = await toEdited();
    await step(id, 'release', people.releaser);
    const deps = { models: t.rt.models, clock: t.rt.clock };
    expect(await markSending(deps, id)).toBe(true);
    const store = redisBroadcastStore(t.rt.redis);
    await store.setTotal(id, 10);
    await store.record({ noticeId: id, batchNo: 0 }, 'w:1#1', 1000, { sent: 4, failed: 1, size: 10 });
    const live = (await api('GET', `/api/notices/${id}`, people.author)).body.progress;
    expect(live).toMatchObject({ sent: 4, failed: 1 }); // the tally, not the batches' logs
    expect(await markCompleted(deps, id, { total: 10, sent: 9, failed: 1, cancelled: 0 })).toBe(true);
    const done = (await api('GET', `/api/notices/${id}`, people.author)).body.progress;
    expect(done).toEqual({ total: 10, sent: 9, failed: 1, pending: 0, cancelled: 0 });
  });

  it('lists notices in scope, newest first, by status and community, in pages', async () => {
    const c1 = await create(people.author, { title: 'c1 notice' });
    const s1 = await create(people.streetAuthor, { title: 'street notice' });
    const mine = await api('GET', '/api/notices?limit=100', people.author);
    expect(mine.status).toBe(200);
    const ids = mine.body.notices.map((n: any) => n.id);
    expect(ids).toContain(c1);
    expect(ids).not.toContain(s1); // a street notice is above a community account
    expect(mine.body.notices.every((n: any) => n.scope.communityCode === 'c1')).toBe(true);
    expect(ids.indexOf(c1)).toBeLessThan(ids.length - 1);

    const street = (await api('GET', '/api/notices?limit=100', people.streetAuthor)).body.notices.map((n: any) => n.id);
    expect(street).toEqual(expect.arrayContaining([c1, s1]));
    expect((await api('GET', '/api/notices?community=c1&limit=100', people.streetAuthor)).body.notices.map((n: any) => n.id)).not.toContain(s1);
    expect((await api('GET', '/api/notices', people.outsider)).body.notices.map((n: any) => n.id)).not.toContain(c1);

    const drafts = (await api('GET', '/api/notices?status=draft&limit=100', people.author)).body.notices;
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.every((n: any) => n.status === 'draft')).toBe(true);

    const page1 = (await api('GET', '/api/notices?limit=2', people.author)).body;
    expect(page1.notices).toHaveLength(2);
    const page2 = (await api('GET', `/api/notices?limit=2&before=${page1.next}`, people.author)).body;
    expect(page2.notices[0].id).toBe(ids[2]);

    expect((await api('GET', '/api/notices?community=c3', people.author)).body.error).toBe('forbidden_scope');
    expect((await api('GET', '/api/notices?status=sent', people.author)).status).toBe(400);
    expect((await api('GET', '/api/notices?limit=0', people.author)).status).toBe(400);
  });
});
