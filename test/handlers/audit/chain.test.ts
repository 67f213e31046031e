import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, hashEntry } from '../../../handlers/audit/canonical.js';
import { auditTrail, insertChained } from '../../../handlers/audit/chain.js';
import { fieldDiff, lineDiff } from '../../../handlers/audit/diff.js';
import { verifyAuditChains } from '../../../handlers/audit/verify.js';
import { createNotice } from '../../../handlers/notices/drafts.js';
import { editNotice, verifyNotice } from '../../../handlers/notices/audit-actions.js';
import type { AuditDraft } from '../../../models/audit-entry.js';
import { createFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { verifyFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { rumorDeps, sampleFactCheck } from '../rumors/helpers.js';
import { TEST_ENV } from '../../support/runtime.js';
import { actor, noticeDeps, openAuditDb, sampleNotice, type AuditTestDb } from './helpers.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

/** `tsx scripts/audit-verify.ts` against a database, as an operator would run it. */
async function auditVerify(uri: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/audit-verify.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...TEST_ENV, LOG_LEVEL: 'warn', REDIS_URL: 'redis://127.0.0.1:1', MONGODB_URI: uri, STARTUP_TIMEOUT_MS: '30000' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

const draft = (subjectId: string, version: number, over: Partial<AuditDraft> = {}): AuditDraft => ({
  subjectType: 'test',
  subjectId,
  version,
  round: 1,
  actorId: 'a1',
  actorName: 'Wang',
  role: 'committee',
  action: version === 1 ? 'create' : 'update',
  at: new Date('2026-11-28T08:00:00.000Z'),
  ...over,
});

describe('canonical hashing', () => {
  it('ignores key order and undefined members, keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    expect(canonicalJson({ at: new Date('2026-01-01T00:00:00Z') })).toBe('{"at":"2026-01-01T00:00:00.000Z"}');
  });

  it('covers every field: changing any one changes the hash', () => {
    const base = { ...draft('s', 1, { comment: 'c', diff: { title: { from: 'a', to: 'b' } } }), seq: 1, prevHash: GENESIS_HASH };
    const h = hashEntry(base);
    expect(hashEntry({ ...base })).toBe(h);
    for (const change of [
      { comment: 'C' },
      { seq: 2 },
      { prevHash: 'f'.repeat(64) },
      { actorId: 'a2' },
      { diff: { title: { from: 'a', to: 'B' } } },
      { at: new Date(base.at.getTime() + 1) },
    ]) {
      expect(hashEntry({ ...base, ...change }), JSON.stringify(change)).not.toBe(h);
    }
  });
});

describe('diffs', () => {
  it('records changed fields only, with a line diff for multi-line text', () => {
    const d = fieldDiff({ title: 'a', body: 'one\ntwo\nthree', urgent: false }, { title: 'a', body: 'one\n2\nthree\nfour', urgent: true }, [
      'title',
      'body',
      'urgent',
    ]);
    expect(d).toEqual({
      body: { from: 'one\ntwo\nthree', to: 'one\n2\nthree\nfour', lines: ['  one', '- two', '+ 2', '  three', '+ four'] },
      urgent: { from: false, to: true },
    });
    expect(fieldDiff({ title: 'a' }, { title: 'a' }, ['title'])).toBeUndefined();
  });

  it('line diff keeps common lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nc')).toEqual(['  a', '- b', '  c']);
  });
});

describe('the chain in the database', () => {
  let t: AuditTestDb;
  beforeAll(async () => {
    t = await openAuditDb('audit_chain');
  });
  afterAll(() => t?.close());

  it('two inserts after the same entry cannot fork the chain: one wins', async () => {
    const first = (await insertChained(t.models, draft('fork', 1), null))!;
    const results = await Promise.all([1, 2, 3, 4].map((i) => insertChained(t.models, draft('fork', 2, { comment: `writer ${i}` }), first)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const trail = await auditTrail(t.models, 'test', 'fork');
    expect(trail.map((e) => e.seq)).toEqual([1, 2]);
    expect(trail[1]!.prevHash).toBe(first.hash);
  });

  it('refuses updates and deletes through the model (append-only)', async () => {
    await insertChained(t.models, draft('ro', 1), null);
    await expect(t.models.AuditEntry.updateOne({ subjectId: 'ro' }, { $set: { comment: 'x' } })).rejects.toThrow(/append-only/);
    await expect(t.models.AuditEntry.deleteOne({ subjectId: 'ro' })).rejects.toThrow(/append-only/);
  });

  it('audit:verify exits 0 on intact chains and names the first tampered entry otherwise', async () => {
    const deps = noticeDeps(t.models);
    const author = actor('author');
    const id = (await createNotice(deps, author, sampleNotice())).id;
    await verifyNotice(deps, actor('verifier', ['verify']), id, { comment: 'facts checked' });
    await editNotice(deps, actor('editor', ['edit']), id, { body: '明天停水。\n请储水。' });

    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
    const clean = await auditVerify(t.uri);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/OK .*chain\(s\), \d+ entries/);

    // Someone edits the verifier's comment straight in the collection.
    const verifyEntry = (await auditTrail(t.models, 'notice', id))[1]!;
    await t.models.AuditEntry.collection.updateOne({ _id: verifyEntry._id }, { $set: { comment: 'no facts checked' } });
    const report = await verifyAuditChains(t.models);
    expect(report.problems).toEqual([
      { subjectType: 'notice', subjectId: id, seq: 2, entryId: String(verifyEntry._id), reason: expect.stringContaining('hash does not match') },
    ]);
    const tampered = await auditVerify(t.uri);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`notice/${id} seq 2 (entry ${String(verifyEntry._id)})`);
    expect(tampered.stderr).toContain('hash does not match');

    // Re-hashing the changed entry moves the break to the next link.
    await t.models.AuditEntry.collection.updateOne({ _id: verifyEntry._id }, { $set: { hash: hashEntry({ ...verifyEntry, comment: 'no facts checked' }) } });
    expect((await verifyAuditChains(t.models)).problems).toMatchObject([{ subjectId: id, seq: 3, reason: expect.stringContaining('prevHash') }]);
    await t.models.AuditEntry.collection.updateOne({ _id: verifyEntry._id }, { $set: { comment: 'facts checked', hash: verifyEntry.hash } });
    expect((await verifyAuditChains(t.models)).problems).toEqual([]);
  });

  it('finds a gap in seq and entries cut off the end', async () => {
    const deps = noticeDeps(t.models);
    const id = (await createNotice(deps, actor('author'), sampleNotice())).id;
    await verifyNotice(deps, actor('verifier', ['verify']), id, {});
    await editNotice(deps, actor('editor', ['edit']), id, {});
    const trail = await auditTrail(t.models, 'notice', id);

    await t.models.AuditEntry.collection.deleteOne({ _id: trail[1]!._id });
    expect((await verifyAuditChains(t.models)).problems).toMatchObject([{ subjectId: id, seq: 3, reason: expect.stringMatching(/seq 3 follows seq 1/) }]);
    await t.models.AuditEntry.collection.insertOne(trail[1]!);

    await t.models.AuditEntry.collection.deleteOne({ _id: trail[2]!._id });
    const cut = await verifyAuditChains(t.models);
    expect(cut.problems).toMatchObject([{ subjectId: id, seq: 2, reason: expect.stringContaining('ends at version 2 but the notice is at version 3') }]);
    const res = await auditVerify(t.uri);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`notice/${id} seq 2`);
    await t.models.AuditEntry.collection.insertOne(trail[2]!);
    expect((await auditVerify(t.uri)).code).toBe(0);
  });

  it('audit:verify covers fact-checks: a changed entry and a cut-off end are named', async () => {
    const deps = rumorDeps(t.models);
    const id = (await createFactCheck(deps, actor('author'), sampleFactCheck())).id;
    await verifyFactCheck(deps, actor('verifier', ['verify']), id, { comment: '来源已核' });
    const trail = await auditTrail(t.models, 'fact_check', id);
    expect((await auditVerify(t.uri)).code).toBe(0);

    await t.models.AuditEntry.collection.updateOne({ _id: trail[1]!._id }, { $set: { comment: '没有核对' } });
    const tampered = await auditVerify(t.uri);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`fact_check/${id} seq 2 (entry ${String(trail[1]!._id)})`);
    await t.models.AuditEntry.collection.updateOne({ _id: trail[1]!._id }, { $set: { comment: '来源已核' } });

    await t.models.AuditEntry.collection.deleteOne({ _id: trail[1]!._id });
    expect((await verifyAuditChains(t.models)).problems).toMatchObject([
      { subjectType: 'fact_check', subjectId: id, reason: expect.stringContaining('ends at version 1 but the fact_check is at version 2') },
    ]);
    await t.models.AuditEntry.collection.insertOne(trail[1]!);
    expect((await auditVerify(t.uri)).code).toBe(0);
  });
});
