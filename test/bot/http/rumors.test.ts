/**
 * The rumour staff API end to end (real Koa app, Redis, FerretDB): matching a text, pending
 * claims by ask count, a fact-check written for a claim and released through the audit by three
 * other people, a correction, and the denials and bad input around them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { rumorsOf } from '../../../bot/rumors/live-base.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { askClaim } from '../../../handlers/rumors/claims.js';
import { seedDemoFactChecks } from '../../../handlers/places/seed-demo.js';
import { importedIdFor } from '../../../handlers/rumors/import.js';
import { loadStarterFacts } from '../../../scripts/data/fact-checks.js';
import { residentIdFor } from '../../../models/resident.js';
import type { Duty, Role } from '../../../models/staff-user.js';
import { apiClient } from '../../support/staff-api.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let base: string;
let stopHttp: () => Promise<void>;

interface Person {
  token: string;
  id: string;
}
const people = {} as Record<'writer' | 'writer2' | 'verifier' | 'editor' | 'releaser' | 'socialOrg' | 'volunteerLead' | 'noDuty', Person>;
const person = (role: Role, duties: Duty[] = [], name?: string) => staffAccount(t.rt.models, { role, community: 'c1', duties, ...(name ? { name } : {}) });

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'rumors_api' });
  await seedPlaces(t.rt.models);
  Object.assign(people, {
    writer: await person('committee', ['verify'], 'Writer Li'),
    writer2: await person('committee', [], 'Writer Zhou'),
    verifier: await person('government', ['verify'], 'Verifier Zhang'),
    editor: await person('committee', ['edit'], 'Editor Chen'),
    releaser: await person('party', ['release'], 'Releaser Wang'),
    socialOrg: await person('social_org', ['verify', 'edit', 'release']),
    volunteerLead: await person('volunteer_lead'),
    noDuty: await person('government', []),
  });
  await seedDemoFactChecks(t.rt.models, loadStarterFacts());
  const http = await serveApp(createApp(t.rt));
  base = http.url;
  stopHttp = http.close;
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
});

const api = (method: string, path: string, who?: Person | null, body?: unknown) => apiClient(base)(method, path, who?.token ?? null, body);
/** A body that is not JSON at all. */
const rawPost = (path: string, who: Person, body: string) =>
  fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' }, body });

const ask = (openid: string, text: string) =>
  askClaim(
    { models: t.rt.models, clock: t.rt.clock, facts: rumorsOf(t.rt), bulk: queueBulkMessages(t.rt.redis, t.rt.queues.bulkMessages) },
    { residentId: String(residentIdFor('wechat', openid)), text, lang: 'zh-CN' },
  );

describe('POST /api/rumors/match', () => {
  it('answers {match, candidates} from the released fact base, for any staff role', async () => {
    const res = await api('POST', '/api/rumors/match', people.volunteerLead, { text: '喝板蓝根能防新冠吗' });
    expect(res.status).toBe(200);
    expect(res.body.match).toMatchObject({ id: String(importedIdFor({ key: 'banlangen-prevents-covid', lang: 'zh-CN', claim: '' })), verdict: 'false' });
    expect(res.body.match.claim).toContain('板蓝根');
    expect(res.body.match.score).toBeGreaterThanOrEqual(0.6);
    expect(res.body.candidates[0]).toEqual({ id: res.body.match.id, claim: res.body.match.claim, score: res.body.match.score });

    const close = await api('POST', '/api/rumors/match', people.socialOrg, { text: 'is the antigen test reliable', lang: 'en' });
    expect(close.body.match).toBeNull();
    expect(close.body.candidates.length).toBe(2);
    expect((await api('POST', '/api/rumors/match', people.writer, { text: '明天小区的桂花开了' })).body).toEqual({ match: null, candidates: [] });
  });

  it('bad input is 400 naming the field; no token is 401', async () => {
    for (const [body, field] of [
      [{}, 'text'],
      [{ text: '   ' }, 'text'],
      [{ text: 42 }, 'text'],
      [{ text: 'x'.repeat(2001) }, 'text'],
      [{ text: '板蓝根', lang: 'fr' }, 'lang'],
      [{ text: '板蓝根', limit: 3 }, 'limit'],
    ] as const) {
      const res = await api('POST', '/api/rumors/match', people.writer, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_input', details: { field } });
    }
    expect((await rawPost('/api/rumors/match', people.writer, '[1,2')).status).toBe(400);
    expect((await api('POST', '/api/rumors/match', people.writer, [1, 2])).body.error).toBe('invalid_input');
    expect((await api('POST', '/api/rumors/match', null, { text: '板蓝根' })).status).toBe(401);
  });
});

describe('claims and their fact-checks', () => {
  let claimId: string;

  it('pending claims come by how many residents asked, with suggestions; only the rumour roles see them', async () => {
    const once = await ask('oA1', '听说小区明天开始每户只能出门一人');
    for (const o of ['oB1', 'oB2', 'oB3']) claimId = (await ask(o, '听说下周起菜市场全部关门')).claimId;
    await ask('oB1', '听说下周起菜市场全部关门'); // the same resident again: still three
    const res = await api('GET', '/api/rumors/claims', people.writer);
    expect(res.status).toBe(200);
    expect(res.body.claims.map((c: { id: string; askCount: number }) => [c.id, c.askCount])).toEqual([
      [claimId, 3],
      [once.claimId, 1],
    ]);
    expect(res.body.claims[0]).toMatchObject({ status: 'pending', text: '听说下周起菜市场全部关门', suggestions: expect.any(Array) });
    expect((await api('GET', `/api/rumors/claims/${claimId}`, people.releaser)).body.claim).toMatchObject({
      askCount: 3,
      wordings: ['听说下周起菜市场全部关门'],
    });
    expect((await api('GET', '/api/rumors/claims', people.socialOrg)).body.error).toBe('forbidden_role');
    expect((await api('GET', '/api/rumors/claims?limit=0', people.writer)).body).toMatchObject({ error: 'invalid_input', details: { field: 'limit' } });
    expect((await api('GET', '/api/rumors/claims?status=open', people.writer)).body).toMatchObject({ error: 'invalid_input', details: { field: 'status' } });
    expect((await api('GET', '/api/rumors/claims/nope', people.writer)).body).toMatchObject({ error: 'invalid_input', details: { field: 'id' } });
    expect((await api('GET', '/api/rumors/claims/0123456789abcdef01234567', people.writer)).status).toBe(404);
  });

  it('a committee member writes the fact-check for a claim; three other people verify, edit and release it', async () => {
    expect(
      (await api('POST', `/api/rumors/claims/${claimId}/fact-check`, people.verifier, { verdict: 'false', explanation: '区商务局说明：菜市场照常营业。' })).body
        .error,
    ).toBe('forbidden_role');
    expect(
      (await api('POST', `/api/rumors/claims/${claimId}/fact-check`, people.writer, { verdict: 'fake', explanation: '区商务局说明：菜市场照常营业。' })).body,
    ).toMatchObject({
      error: 'invalid_input',
      details: { field: 'verdict' },
    });
    expect(
      (
        await api('POST', '/api/rumors/claims/0123456789abcdef01234567/fact-check', people.writer, {
          verdict: 'false',
          explanation: '区商务局说明：菜市场照常营业。',
        })
      ).status,
    ).toBe(404);
    const created = await api('POST', `/api/rumors/claims/${claimId}/fact-check`, people.writer, {
      verdict: 'false',
      explanation: '区商务局说明：菜市场照常营业，没有关门的安排。',
      source: '区商务局',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', version: 1, claimId, publishedVersion: null });
    const id = created.body.id;

    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.writer, {})).body.error).toBe('separation_of_duties'); // the author
    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.noDuty, {})).body.error).toBe('forbidden_duty');
    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.socialOrg, {})).body.error).toBe('forbidden_role');
    expect((await api('POST', `/api/rumors/fact-checks/${id}/edit`, people.editor, {})).status).toBe(409);
    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.verifier, { version: 2 })).status).toBe(409);
    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.verifier, { comment: '' })).body.details.field).toBe('comment');
    expect((await api('POST', `/api/rumors/fact-checks/${id}/verify`, people.verifier, { version: 1 })).body).toMatchObject({ status: 'verified' });
    expect((await api('POST', `/api/rumors/fact-checks/${id}/edit`, people.editor, { explanation: '区商务局说明：菜市场照常营业。' })).body).toMatchObject({
      status: 'edited',
    });
    const released = await api('POST', `/api/rumors/fact-checks/${id}/release`, people.releaser, {});
    expect(released.body).toMatchObject({ status: 'released', version: 4, publishedVersion: 4, notified: true });

    const view = await api('GET', `/api/rumors/fact-checks/${id}`, people.writer2);
    expect(view.body.factCheck).toMatchObject({
      status: 'released',
      published: { version: 4, explanation: '区商务局说明：菜市场照常营业。' },
      notifiedVersion: 4,
    });
    expect(view.body.factCheck.claims).toEqual([{ id: claimId, text: '听说下周起菜市场全部关门', status: 'answered' }]);
    expect(view.body.audit.map((e: { action: string }) => e.action)).toEqual(['create', 'verify', 'edit', 'release']);
    expect((await api('POST', '/api/rumors/match', people.writer, { text: '菜市场下周要关门吗' })).body.match?.id).toBe(id);
    expect((await api('GET', '/api/rumors/claims', people.writer)).body.claims.map((c: { id: string }) => c.id)).not.toContain(claimId);
    expect((await api('GET', '/api/rumors/claims?status=answered', people.writer)).body.claims[0]).toMatchObject({ id: claimId, askCount: 3 });

    // A correction by another committee member goes through the audit again.
    expect((await api('POST', `/api/rumors/fact-checks/${id}/correct`, people.writer2, { verdict: 'misleading' })).body.details.field).toBe('comment');
    const corrected = await api('POST', `/api/rumors/fact-checks/${id}/correct`, people.writer2, { source: '区商务局 12 月 1 日通知', comment: '补上日期' });
    expect(corrected.body).toMatchObject({ status: 'draft', round: 2, publishedVersion: 4 });
    expect((await api('PATCH', `/api/rumors/fact-checks/${id}`, people.writer, { source: 'x' })).body.error).toBe('not_author');
    expect((await api('PATCH', `/api/rumors/fact-checks/${id}`, people.writer2, {})).body.error).toBe('invalid_input');
    expect((await api('POST', `/api/rumors/fact-checks/${id}/withdraw`, people.writer2, {})).body.error).toBe('forbidden_duty');
  });

  it('fact-checks are listed newest first; unknown routes and methods answer in JSON', async () => {
    const list = await api('GET', '/api/rumors/fact-checks?status=released&limit=5', people.verifier);
    expect(list.status).toBe(200);
    expect(list.body.factChecks).toHaveLength(5);
    expect((await api('GET', '/api/rumors/fact-checks?status=sending', people.verifier)).body.details.field).toBe('status');
    expect((await api('DELETE', '/api/rumors/fact-checks', people.writer)).status).toBe(405);
    expect((await api('GET', '/api/rumors/fact-checks/0123456789abcdef01234567', people.writer)).body.error).toBe('not_found');
  });
});
