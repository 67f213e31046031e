import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotice, updateNotice } from '../../../handlers/notices/drafts.js';
import { cancelNotice, editNotice, rejectNotice, releaseNotice, verifyNotice } from '../../../handlers/notices/audit-actions.js';
import { markCompleted, markSending, resumeReleasedBroadcasts } from '../../../handlers/notices/broadcast-state.js';
import { loadNotice } from '../../../handlers/notices/deps.js';
import { auditTrail, insertChained } from '../../../handlers/audit/chain.js';
import { verifyAuditChains } from '../../../handlers/audit/verify.js';
import type { NoticeDeps } from '../../../handlers/notices/deps.js';
import { actor, noticeDeps, openAuditDb, recordingPort, sampleNotice, type AuditTestDb, type RecordingPort, errorCode } from './helpers.js';

let t: AuditTestDb;
let port: RecordingPort;
let deps: NoticeDeps;

beforeAll(async () => {
  t = await openAuditDb('audit_workflow');
  port = recordingPort();
  deps = noticeDeps(t.models, port);
});
afterAll(() => t?.close());

const code = errorCode;

const author = actor('author', ['verify', 'edit', 'release']); // holds every duty, may use none
const verifier = actor('verifier', ['verify', 'edit', 'release']);
const editor = actor('editor', ['verify', 'edit', 'release']);
const releaser = actor('releaser', ['verify', 'edit', 'release']);
const nobody = actor('no-duties');

async function draft(): Promise<string> {
  return (await createNotice(deps, author, sampleNotice())).id;
}
async function verified(): Promise<string> {
  const id = await draft();
  await verifyNotice(deps, verifier, id, {});
  return id;
}
async function edited(): Promise<string> {
  const id = await verified();
  await editNotice(deps, editor, id, {});
  return id;
}

describe('separation of duties', () => {
  it('the author may perform no duty: verify, edit or release', async () => {
    expect(await code(verifyNotice(deps, author, await draft(), {}))).toBe('separation_of_duties');
    expect(await code(editNotice(deps, author, await verified(), {}))).toBe('separation_of_duties');
    expect(await code(releaseNotice(deps, author, await edited(), {}))).toBe('separation_of_duties');
  });

  it('verify then edit by the same person is refused', async () => {
    expect(await code(editNotice(deps, verifier, await verified(), {}))).toBe('separation_of_duties');
  });

  it('verify then release by the same person is refused', async () => {
    expect(await code(releaseNotice(deps, verifier, await edited(), {}))).toBe('separation_of_duties');
  });

  it('edit then release by the same person is refused', async () => {
    expect(await code(releaseNotice(deps, editor, await edited(), {}))).toBe('separation_of_duties');
  });

  it('a missing duty is 403 forbidden_duty, checked before anything else', async () => {
    expect(await code(verifyNotice(deps, nobody, await draft(), {}))).toBe('forbidden_duty');
    expect(await code(editNotice(deps, actor('v-only', ['verify']), await verified(), {}))).toBe('forbidden_duty');
    expect(await code(releaseNotice(deps, actor('e-only', ['edit']), await edited(), {}))).toBe('forbidden_duty');
    expect(await code(rejectNotice(deps, nobody, await verified(), { comment: 'no' }))).toBe('forbidden_duty');
  });

  it('refused attempts change nothing and write no audit entry', async () => {
    const id = await verified();
    const before = await auditTrail(t.models, 'notice', id);
    await code(editNotice(deps, verifier, id, { title: 'sneaky' }));
    const after = await loadNotice(t.models, id);
    expect(after).toMatchObject({ status: 'verified', version: 2, title: sampleNotice().title });
    expect(await auditTrail(t.models, 'notice', id)).toHaveLength(before.length);
  });
});

describe('state machine', () => {
  it('an action that does not fit the state is 409 conflict_state', async () => {
    const id = await draft();
    expect(await code(editNotice(deps, editor, id, {}))).toBe('conflict_state');
    expect(await code(releaseNotice(deps, releaser, id, {}))).toBe('conflict_state');
    await verifyNotice(deps, verifier, id, {});
    expect(await code(verifyNotice(deps, editor, id, {}))).toBe('conflict_state');
    expect(await code(updateNotice(deps, author, id, { title: 'late change' }))).toBe('conflict_state');
  });

  it('a stale version from the client is 409', async () => {
    const id = await draft();
    await updateNotice(deps, author, id, { body: 'changed body' });
    expect(await code(verifyNotice(deps, verifier, id, { version: 1 }))).toBe('conflict_state');
    expect((await verifyNotice(deps, verifier, id, { version: 2 })).status).toBe('verified');
  });

  it('only the author changes a draft', async () => {
    expect(await code(updateNotice(deps, verifier, await draft(), { title: 'x' }))).toBe('not_author');
  });

  it('concurrent verifies: exactly one wins, the others get 409', async () => {
    const verifiers = [verifier, editor, releaser, actor('fourth', ['verify'])];
    for (let round = 0; round < 5; round++) {
      const id = await draft();
      const results = await Promise.allSettled(verifiers.map((v) => verifyNotice(deps, v, id, {})));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const loser of results.filter((r) => r.status === 'rejected')) {
        expect((loser as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict_state', status: 409 });
      }
      expect(await loadNotice(t.models, id)).toMatchObject({ status: 'verified', version: 2 });
      const trail = await auditTrail(t.models, 'notice', id);
      expect(trail.map((e) => e.action)).toEqual(['create', 'verify']);
    }
  });
});

describe('reject loops', () => {
  it('needs a comment, returns to draft, starts a new round and the chain continues', async () => {
    const id = await edited();
    expect(await code(rejectNotice(deps, releaser, id, {}))).toBe('invalid_input');
    expect(await code(rejectNotice(deps, releaser, id, { comment: '   ' }))).toBe('invalid_input');
    const r = await rejectNotice(deps, releaser, id, { comment: '时间写错了' });
    expect(r).toMatchObject({ status: 'draft', round: 2 });
    const n = await loadNotice(t.models, id);
    expect(n).toMatchObject({ verifiedBy: null, editedBy: null, releasedBy: null });

    await updateNotice(deps, author, id, { body: '明天 9:00–12:00 停水，请提前储水。' });
    // New round: the former editor may verify now, the former verifier may edit, and the
    // person who rejected may release; the author still may not act.
    expect(await code(verifyNotice(deps, author, id, {}))).toBe('separation_of_duties');
    await verifyNotice(deps, editor, id, {});
    expect(await code(editNotice(deps, editor, id, {}))).toBe('separation_of_duties');
    await editNotice(deps, verifier, id, { comment: 'ok' });
    expect(await code(releaseNotice(deps, editor, id, {}))).toBe('separation_of_duties');
    expect(await code(releaseNotice(deps, verifier, id, {}))).toBe('separation_of_duties');
    await releaseNotice(deps, releaser, id, {});

    const trail = await auditTrail(t.models, 'notice', id);
    expect(trail.map((e) => `${e.round}:${e.action}`)).toEqual(['1:create', '1:verify', '1:edit', '2:reject', '2:update', '2:verify', '2:edit', '2:release']);
    expect(trail.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(trail[3]).toMatchObject({ comment: '时间写错了', from: 'edited', to: 'draft', actorId: releaser.id });
    for (let i = 1; i < trail.length; i++) expect(trail[i]!.prevHash).toBe(trail[i - 1]!.hash);
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });

  it('cannot reject after release', async () => {
    const id = await edited();
    await releaseNotice(deps, releaser, id, {});
    expect(await code(rejectNotice(deps, verifier, id, { comment: 'too late' }))).toBe('conflict_state');
  });
});

describe('release, cancel and the broadcast states', () => {
  it('release starts the broadcast through the port once, with urgency and schedule', async () => {
    const sendAt = new Date(Date.now() + 3600_000);
    const id = (await createNotice(deps, author, sampleNotice({ urgent: true, sendAt: sendAt.toISOString() }))).id;
    await verifyNotice(deps, verifier, id, {});
    await editNotice(deps, editor, id, {});
    const r = await releaseNotice(deps, releaser, id, {});
    expect(r).toMatchObject({ status: 'released', broadcastQueued: true });
    expect(port.started.filter((s) => s.noticeId === id)).toEqual([{ noticeId: id, urgent: true, sendAt }]);
    expect(await code(releaseNotice(deps, actor('other', ['release']), id, {}))).toBe('conflict_state');
    expect(port.started.filter((s) => s.noticeId === id)).toHaveLength(1);
  });

  it('a release whose queue is down stays released and is queued later', async () => {
    const down = { ...recordingPort(), startBroadcast: async () => Promise.reject(new Error('redis down')) };
    const id = await edited();
    const r = await releaseNotice({ ...deps, broadcast: down }, releaser, id, {});
    expect(r).toMatchObject({ status: 'released', broadcastQueued: false });
    const up = recordingPort();
    expect(await resumeReleasedBroadcasts({ ...deps, broadcast: up })).toBeGreaterThanOrEqual(1);
    expect(up.started.map((s) => s.noticeId)).toContain(id);
  });

  it('the author withdraws before release; after release only a release-duty holder cancels', async () => {
    const a = await verified();
    expect((await cancelNotice(deps, author, a, { comment: 'not needed' })).status).toBe('cancelled');
    expect(await code(cancelNotice(deps, author, a, {}))).toBe('conflict_state');

    const plainAuthor = actor('plain-author'); // holds no duty
    const b = (await createNotice(deps, plainAuthor, sampleNotice())).id;
    await verifyNotice(deps, verifier, b, {});
    await editNotice(deps, editor, b, {});
    await releaseNotice(deps, releaser, b, {});
    expect(await code(cancelNotice(deps, plainAuthor, b, {}))).toBe('forbidden_duty');
    expect(await code(cancelNotice(deps, actor('v', ['verify']), b, {}))).toBe('forbidden_duty');
    const c = await cancelNotice(deps, actor('r2', ['release']), b, {});
    expect(c).toMatchObject({ status: 'cancelled', fanoutRemoved: true });
    expect(port.cancelled).toContain(b);
    expect(await markSending(deps, b)).toBe(false);
  });

  it('markSending and markCompleted move a released notice on, once each, as the system actor', async () => {
    const id = await edited();
    await releaseNotice(deps, releaser, id, {});
    expect(await markSending(deps, id)).toBe(true);
    expect(await markSending(deps, id)).toBe(false);
    expect(await markCompleted(deps, id, { total: 3, sent: 3, failed: 0 })).toBe(true);
    expect(await markCompleted(deps, id)).toBe(false);
    expect(await code(cancelNotice(deps, releaser, id, {}))).toBe('conflict_state');
    const trail = await auditTrail(t.models, 'notice', id);
    expect(trail.slice(-2)).toMatchObject([
      { action: 'sending', actorId: 'system', from: 'released', to: 'sending' },
      { action: 'complete', actorId: 'system', from: 'sending', to: 'completed', meta: { total: 3, sent: 3, failed: 0 } },
    ]);
  });
});

describe('a writer that dies half-way', () => {
  it('after inserting its entry: the next reader replays it onto the notice', async () => {
    const id = await draft();
    const prev = (await auditTrail(t.models, 'notice', id))[0]!;
    // What a process that died right after winning the entry insert leaves behind:
    const won = await insertChained(
      t.models,
      {
        subjectType: 'notice',
        subjectId: id,
        version: 2,
        round: 1,
        actorId: verifier.id,
        actorName: verifier.name,
        role: 'committee',
        action: 'verify',
        duty: 'verify',
        from: 'draft',
        to: 'verified',
        at: new Date(),
      },
      prev,
    );
    expect(won).not.toBeNull();
    expect((await t.models.Notice.findById(id).lean())!.status).toBe('draft');
    // A late second verify loses (its entry would be version 2 too)…
    expect(await code(verifyNotice(deps, editor, id, {}))).toBe('conflict_state');
    // …and every reader sees the replayed state, separation included.
    expect(await loadNotice(t.models, id)).toMatchObject({ status: 'verified', version: 2, verifiedBy: verifier.id });
    expect(await code(editNotice(deps, verifier, id, {}))).toBe('separation_of_duties');
    await editNotice(deps, editor, id, { title: '停水通知（更新）' });
    expect(await loadNotice(t.models, id)).toMatchObject({ status: 'edited', version: 3, title: '停水通知（更新）' });
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });

  it('after inserting a new notice: its create entry is appended by the next reader, once', async () => {
    const id = await draft();
    await t.models.AuditEntry.collection.deleteOne({ subjectType: 'notice', subjectId: id, version: 1 });
    await Promise.all([loadNotice(t.models, id), loadNotice(t.models, id)]);
    const trail = await auditTrail(t.models, 'notice', id);
    expect(trail.map((e) => `${e.seq}:${e.action}`)).toEqual(['1:create']);
    await verifyNotice(deps, verifier, id, {});
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });
});
