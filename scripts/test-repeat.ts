/**
 * `npm run test:repeat -- N [--load K] [vitest arguments…]`: run the suite (or the given files)
 * N times in a row, optionally with K busy loops keeping the CPUs busy, and say which runs
 * failed and in which tests. A flaky test shows itself this way: once in many runs, or only
 * when the machine is loaded. Exit 0 when every run passed, 1 when one failed, 2 for usage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFerretdb, PROJECT_ROOT } from './services/ferretdb.js';
import { parseRepeatArgs, USAGE, UsageError, type RepeatOptions } from './test-repeat/args.js';
import { failureLine, reportOf, type RunReport, type VitestJson } from './test-repeat/report.js';
import { isMain } from './is-main.js';

/** Spins on one CPU until killed, or until its parent (this script) is gone, whatever killed it. */
const BUSY_LOOP = 'const parent = process.ppid; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== parent) process.exit(0); }';

let loops: ChildProcess[] = [];
let vitest: ChildProcess | undefined;

function stopLoad(): void {
  for (const loop of loops) loop.kill('SIGKILL');
  loops = [];
}

interface RunResult extends RunReport {
  ok: boolean;
  seconds: number;
  log: string;
}

/** One `vitest run`, its output in `run-<i>.log` and its JSON report beside it. */
async function runOnce(i: number, opts: RepeatOptions, dir: string): Promise<RunResult> {
  const log = path.join(dir, `run-${i}.log`);
  const json = path.join(dir, `run-${i}.json`);
  const out = fs.openSync(log, 'w');
  const started = performance.now();
  const args = ['run', ...opts.vitestArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/vitest'), args, { cwd: PROJECT_ROOT, stdio: ['ignore', out, out] });
  vitest = child;
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      fs.writeSync(out, `test:repeat: could not start vitest: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (c, signal) => resolve(c ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
  vitest = undefined;
  fs.closeSync(out);
  const seconds = (performance.now() - started) / 1000;
  let report: RunReport = { total: 0, failures: [] };
  if (fs.existsSync(json)) report = reportOf(JSON.parse(fs.readFileSync(json, 'utf8')) as VitestJson, PROJECT_ROOT);
  if (code !== 0 && report.failures.length === 0) report.failures.push(`vitest exited ${code} (see the log)`);
  return { ...report, ok: code === 0, seconds, log };
}

async function main(opts: RepeatOptions): Promise<number> {
  if (!process.env.MONGODB_URI) await ensureFerretdb((line) => process.stdout.write(`${line}\n`)); // as npm test's pretest
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-repeat-'));
  const what = opts.vitestArgs.length ? `vitest run ${opts.vitestArgs.join(' ')}` : 'the whole suite';
  const load = opts.load ? ` with ${opts.load} busy loop${opts.load > 1 ? 's' : ''}` : '';
  const [load1] = os.loadavg();
  loops = Array.from({ length: opts.load }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
  const pids = loops.length ? ` (pids ${loops.map((l) => l.pid).join(', ')})` : '';
  console.log(
    `test:repeat: ${opts.runs} run${opts.runs > 1 ? 's' : ''} of ${what}${load}${pids} on ${os.cpus().length} CPUs (load average ${load1!.toFixed(1)} before); logs in ${dir}`,
  );
  const results: RunResult[] = [];
  try {
    for (let i = 1; i <= opts.runs; i++) {
      const r = await runOnce(i, opts, dir);
      results.push(r);
      const tests = r.total ? ` (${r.total} tests)` : '';
      console.log(
        `run ${i}/${opts.runs}: ${r.ok ? 'pass' : 'FAIL'} in ${r.seconds.toFixed(1)} s${tests}${r.ok ? '' : ` — ${failureLine(r.failures)}; log: ${r.log}`}`,
      );
    }
  } finally {
    stopLoad();
  }
  const failed = results.filter((r) => !r.ok);
  const byTest = new Map<string, number>();
  for (const r of failed) for (const f of new Set(r.failures)) byTest.set(f, (byTest.get(f) ?? 0) + 1);
  const flaky = [...byTest].map(([name, n]) => `${name} (failed in ${n} of ${results.length})`);
  const slowest = Math.max(...results.map((r) => r.seconds));
  console.log(
    `summary: ${results.length - failed.length} of ${results.length} runs passed, ${failed.length} failed${load}; slowest run ${slowest.toFixed(1)} s` +
      (flaky.length ? `\n  ${flaky.join('\n  ')}` : ''),
  );
  return failed.length ? 1 : 0;
}

if (isMain(import.meta.url)) {
  let opts: RepeatOptions | 'help';
  try {
    opts = parseRepeatArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts === 'help') {
    console.log(USAGE);
    process.exit(0);
  }
  // The busy loops never outlive us: stopped on the way out, on Ctrl-C, and (see BUSY_LOOP) on a kill.
  process.on('exit', stopLoad);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopLoad();
      vitest?.kill(signal);
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  main(opts).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`test:repeat: ${err.message}\n`);
      process.exit(1);
    },
  );
}
