/**
 * `npm run test:repeat`: its command line, its reading of vitest's JSON report, and one real
 * run over a throwaway test file (outside the suite) with a busy loop that must be gone after.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRepeatArgs, UsageError } from '../../scripts/test-repeat/args.js';
import { reportOf } from '../../scripts/test-repeat/report.js';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { tsEntry } from '../support/child.js';
import { waitFor } from '../support/wait-for.js';

function repeat(args: string[]) {
  const [command, argv] = tsEntry('scripts/test-repeat.ts', args);
  return spawnSync(command, argv, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 170_000 });
}

/** Whether `pid` is still running (a killed process waiting to be reaped is not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('parseRepeatArgs', () => {
  it('takes N first, --load anywhere, and hands everything else to vitest in order', () => {
    expect(parseRepeatArgs(['5'])).toEqual({ runs: 5, load: 0, vitestArgs: [] });
    expect(parseRepeatArgs(['3', 'test/a.test.ts', '--load', '2', '-t', 'cancel'])).toEqual({
      runs: 3,
      load: 2,
      vitestArgs: ['test/a.test.ts', '-t', 'cancel'],
    });
    expect(parseRepeatArgs(['3', '--load=0', '--bail', '1'])).toEqual({ runs: 3, load: 0, vitestArgs: ['--bail', '1'] });
    expect(parseRepeatArgs(['2', '--', '--load', '9'])).toEqual({ runs: 2, load: 0, vitestArgs: ['--load', '9'] });
    expect(parseRepeatArgs(['--help'])).toBe('help');
  });

  it.each([[[]], [['0']], [['x']], [['2.5']], [['1001']], [['-3']], [['5', '--load']], [['5', '--load', 'two']], [['5', '--load=65']], [['--load', '2', '5']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseRepeatArgs(argv)).toThrow(UsageError);
    },
  );
});

describe('reportOf', () => {
  it('names failed tests file > describe > test, and a file that failed outside its tests', () => {
    const report = reportOf(
      {
        numTotalTests: 3,
        testResults: [
          {
            name: '/repo/test/a.test.ts',
            status: 'failed',
            assertionResults: [
              { title: 'ok', ancestorTitles: ['outer'], status: 'passed' },
              { title: 'stops sends', ancestorTitles: ['cancel', 'sweep'], status: 'failed' },
            ],
          },
          { name: '/repo/test/b.test.ts', status: 'failed', message: 'Hook timed out in 120000ms\nat …', assertionResults: [] },
          { name: '/repo/test/c.test.ts', status: 'passed', assertionResults: [{ title: 'fine', status: 'passed' }] },
        ],
      },
      '/repo',
    );
    expect(report).toEqual({ total: 3, failures: ['test/a.test.ts > cancel > sweep > stops sends', 'test/b.test.ts (Hook timed out in 120000ms)'] });
  });
});

describe('the command', () => {
  it('exits 2 with the usage for a bad command line', () => {
    const r = repeat(['many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('N (the number of runs) must be a whole number');
    expect(r.stderr).toContain('usage: npm run test:repeat -- N [--load K]');
  });

  it('runs the given tests, names the failing one, exits 1, and stops its busy loop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-repeat-test-'));
    let logs: string | undefined;
    try {
      fs.writeFileSync(
        path.join(dir, 'sample.test.ts'),
        "describe('sample', () => {\n  it('passes', () => {});\n  it('fails', () => expect(1).toBe(2));\n});\n",
      );
      const r = repeat(['2', '--load', '1', '--root', dir, '--globals']);
      logs = /; logs in (\S+)/.exec(r.stdout)?.[1];
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^test:repeat: 2 runs of vitest run --root \S+ --globals with 1 busy loop \(pids \d+\)/);
      expect(r.stdout).toMatch(/^run 1\/2: FAIL in \d+\.\d s \(2 tests\) — 1 failed: \S+sample\.test\.ts > sample > fails; log: /m);
      expect(r.stdout).toMatch(/^run 2\/2: FAIL/m);
      expect(r.stdout).toMatch(
        /^summary: 0 of 2 runs passed, 2 failed with 1 busy loop; slowest run \d+\.\d s\n {2}\S+sample\.test\.ts > sample > fails \(failed in 2 of 2\)$/m,
      );
      const pid = Number(/\(pids (\d+)\)/.exec(r.stdout)![1]);
      await waitFor('the busy loop to stop', () => !running(pid)); // SIGKILLed before the script exited
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (logs?.includes('linli-test-repeat-')) fs.rmSync(logs, { recursive: true, force: true });
    }
  }, 180_000); // two vitest runs inside this one: 8 s on a quiet machine, over 30 s on a crowded one
});
