/**
 * The trusted import: good entries stored released with one audit entry naming the import and
 * the operator, bad ones reported by index, a second run of the same file a no-op — through the
 * handler and through `npm run import:fact-checks` as an operator runs it. The demo seed loads
 * the starter base the same way, and audit:verify covers the imported chains.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFactChecks, importedIdFor } from '../../../handlers/rumors/import.js';
import { seedDemoFactChecks } from '../../../handlers/places/seed-demo.js';
import { auditTrail } from '../../../handlers/audit/chain.js';
import { verifyAuditChains } from '../../../handlers/audit/verify.js';
import { loadStarterFacts } from '../../../scripts/data/fact-checks.js';
import type { FactCheck } from '../../../models/fact-check.js';
import { TEST_ENV } from '../../support/runtime.js';
import { openAuditDb, type AuditTestDb } from '../audit/helpers.js';
import { memoryFactBase } from './helpers.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-import-'));

let t: AuditTestDb;
beforeAll(async () => {
  t = await openAuditDb('rumor_import');
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const good = (over: Record<string, unknown> = {}) => ({
  lang: 'en',
  claim: 'Eating raw onions in every room absorbs the virus',
  verdict: 'false',
  explanation: 'Onions do not absorb viruses from the air; open the windows instead.',
  source: 'WHO myth busters',
  ...over,
});

async function cli(args: string[], uri: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-fact-checks.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...TEST_ENV, LOG_LEVEL: 'warn', MONGODB_URI: uri, STARTUP_TIMEOUT_MS: '5000' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('trusted import', () => {
  it('keeps the good entries, reports the bad ones by index, and is idempotent', async () => {
    const facts = memoryFactBase(t.models);
    const deps = { models: t.models, clock: { now: () => new Date() }, facts };
    const entries = [
      good(),
      { ...good({ claim: 'x' }) }, // too short
      good({ claim: '喝醋能软化血管还能防病毒', lang: 'zh-CN', explanation: '醋不能软化血管，也不能预防病毒感染。', source: undefined }),
      good({ verdict: 'fake' }),
      'not an object',
      good({ claim: 'Eating raw onions in every room absorbs the virus' }), // the same claim again
      good({ extra: 1, claim: 'Onion slices under your pillow cure a cold' }),
    ];
    const report = await importFactChecks(deps, entries, { operator: 'Wang Fang', source: 'who-list.json' });
    expect(report.imported).toHaveLength(2);
    expect(report.problems.map((p) => [p.index, p.field])).toEqual([
      [1, 'claim'],
      [3, 'verdict'],
      [4, ''],
      [5, 'claim'],
      [6, 'extra'],
    ]);
    expect(report.problems[3]!.reason).toBe('repeats entry 0');

    const id = String(importedIdFor({ lang: 'en', claim: good().claim }));
    const f = await t.models.FactCheck.findById(id).lean<FactCheck>();
    expect(f).toMatchObject({ status: 'released', origin: 'import', published: { version: 1, claim: good().claim, source: 'WHO myth busters' } });
    const trail = await auditTrail(t.models, 'fact_check', id);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({
      action: 'import',
      to: 'released',
      actorName: 'Wang Fang',
      role: 'operator',
      meta: { import: 'who-list.json', operator: 'Wang Fang', index: 0 },
    });
    expect((await facts.check('do onions in the room absorb the virus', 'en')).match?.id).toBe(id);

    const again = await importFactChecks(deps, [good(), entries[2]], { operator: 'Li', source: 'who-list.json' });
    expect(again).toEqual({ imported: [], unchanged: 2, problems: [] });
    const changed = await importFactChecks(deps, [good({ verdict: 'misleading' })], { operator: 'Li', source: 'who-list.json' });
    expect(changed.problems).toMatchObject([{ index: 0, reason: expect.stringContaining('change it through the audit') }]);
    expect(await importFactChecks(deps, { not: 'an array' }, { operator: 'Li', source: 'x' }).catch((e: Error) => e.message)).toMatch(/JSON array/);
  });

  it('the demo seed loads the starter base (50, zh and en) once; audit:verify covers the chains', async () => {
    const starter = loadStarterFacts();
    expect(starter.length).toBeGreaterThanOrEqual(40);
    expect(new Set(starter.map((f) => f.lang))).toEqual(new Set(['zh-CN', 'en']));
    expect((await seedDemoFactChecks(t.models, starter)).imported).toHaveLength(starter.length);
    expect(await seedDemoFactChecks(t.models, starter)).toMatchObject({ imported: [], unchanged: starter.length });
    const report = await verifyAuditChains(t.models);
    expect(report.problems).toEqual([]);
    expect(report.chains).toBeGreaterThanOrEqual(starter.length);
  });

  it('npm run import:fact-checks: exit 1 listing the refused entries by index, the others kept; 0 on a rerun; 2 for a usage mistake', async () => {
    const file = path.join(tmp, 'health-bureau.json');
    fs.writeFileSync(
      file,
      JSON.stringify([good({ claim: 'Sunlight on your skin for an hour kills the virus inside you' }), { lang: 'fr', claim: 'Le soleil tue le virus' }]),
    );
    const first = await cli([file, '--operator', 'Zhao Lei'], t.uri);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain('entry 1: lang');
    expect(first.stdout).toContain('1 imported, 0 already there, 1 refused (of 2) by Zhao Lei');
    const id = String(importedIdFor({ lang: 'en', claim: 'Sunlight on your skin for an hour kills the virus inside you' }));
    expect((await auditTrail(t.models, 'fact_check', id))[0]).toMatchObject({
      action: 'import',
      actorName: 'Zhao Lei',
      meta: { import: 'health-bureau.json' },
    });

    fs.writeFileSync(file, JSON.stringify([good({ claim: 'Sunlight on your skin for an hour kills the virus inside you' })]));
    const rerun = await cli([file, '--operator', 'Zhao Lei'], t.uri);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('0 imported, 1 already there, 0 refused');

    expect((await cli([], t.uri)).code).toBe(2);
    expect((await cli([file, '--bogus'], t.uri)).code).toBe(2);
    const missing = await cli([path.join(tmp, 'nope.json')], t.uri);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });
});
