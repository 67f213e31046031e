/**
 * `npm run bench:webhook [-- --duration 10 --connections 50 --residents 200]`: how much of a bare
 * Koa server's throughput the whole WeChat webhook keeps, and its latency at half that rate.
 *
 *   (a) bare    — a Koa hello-world, the ceiling on this machine;
 *   (b) plain   — `POST /wechat` plain-mode text pushes through the whole pipeline: signature,
 *                 XML, dedup claim in Redis (every request a new MsgId), the resident touched in
 *                 the Redis cache (written back to FerretDB by the worker process), session,
 *                 the menu step, a passive reply;
 *   (c) safe    — the same, encrypted: msg_signature, AES decrypt, encrypted reply envelope.
 *
 * For (b) and (c): first the maximum rate (autocannon, `--connections`), then the same load held at
 * half that rate (autocannon's `overallRate`) for the latency a resident sees on a busy day; for
 * (b) also a spike of `--spike` connections (400), where every push must be answered within
 * WeChat's 5 s, passively or with `success` and a late reply.
 * Each case's server is a forked process of its own (the load generator does not share its event
 * loop), and a worker process (`npm run worker`'s workers and the residents' write-back) runs
 * beside (b) and (c); after each case the bench waits for the write-back to drain and checks
 * every resident's last message reached FerretDB. Loopback only; it starts its own redis-server,
 * FerretDB and mock WeChat API (temporary directories) and stops everything it started. One JSON
 * document on stdout (progress on stderr). `--profile DIR` writes each server's V8 CPU profile
 * (`node --cpu-prof`) there; `--server-flags="…"` passes Node flags to the servers (e.g. a larger
 * young generation, `--max-semi-space-size=64`). Besides requests per second, each server's CPU
 * time per request is reported: unlike throughput it hardly depends on what else the machine runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChild, type ChildKind, type ChildReport, type ChildRequest } from './webhook-child.js';

const SELF = fileURLToPath(import.meta.url);
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The part of autocannon's programmatic API used here (the package has no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers that were not a passive XML reply (e.g. `success` after a missed deadline). */
  notPassive: number;
  requests: number;
}

const loadResult = (r: AutocannonResult): LoadResult => ({
  reqPerSec: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  errors: r.errors,
  timeouts: r.timeouts,
  non2xx: r.non2xx,
  notPassive: r.mismatches,
  requests: r.requests.total,
});
const failed = (r: LoadResult) => r.errors + r.timeouts + r.non2xx + r.notPassive;

/** A forked child (see webhook-child.ts) and a way to ask it something. */
interface Child {
  url?: string;
  ask<T extends ChildReport>(m: ChildRequest, key: keyof T): Promise<T>;
  /** Stop it; resolves with its peak RSS in MB. */
  stop(): Promise<number>;
}

/** The Node flags `npm run serve` starts the server with (a larger young generation): the bench measures that server. */
function serveScriptFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  return (pkg.scripts.serve ?? '').split(' ').filter((w) => /^--max-(semi|old)-space-size=\d+$/.test(w));
}

function startChild(kind: ChildKind, env: Record<string, string>, nodeFlags: string[] = []): Promise<Child> {
  const execArgv = [...process.execArgv, ...nodeFlags];
  // The child's log (stdout) goes to our stderr: stdout carries only the JSON report.
  const child: ChildProcess = fork(SELF, ['--child', kind], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 2, 2, 'ipc'] });
  const next = <T extends ChildReport>(key: keyof T) =>
    new Promise<T>((resolve) => {
      const on = (m: ChildReport) => {
        if (key in m) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} process exited early (code ${code})`)));
    void next<{ ready: true; url?: string }>('ready').then(({ url }) => {
      child.removeAllListeners('exit');
      resolve({
        ...(url ? { url } : {}),
        ask: (m, key) => {
          const answer = next(key);
          child.send(m);
          return answer;
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return 0;
          const exited = new Promise((r) => child.once('exit', r));
          const rss = next<{ maxRssBytes: number }>('maxRssBytes');
          child.send({ cmd: 'stop' } satisfies ChildRequest);
          const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
          const { maxRssBytes } = await Promise.race([rss, exited.then(() => ({ maxRssBytes: 0 }))]);
          await exited;
          clearTimeout(timer);
          return Math.round(maxRssBytes / 1e6);
        },
      });
    });
  });
}

function usage(): never {
  process.stderr.write(
    'usage: npm run bench:webhook -- [--duration SECONDS(1-600)] [--connections N(1-1000)] [--warmup SECONDS] [--residents N] [--profile DIR] [--server-flags="NODE FLAGS"] [--spike CONNECTIONS(0-2000, 0 = none)]\n',
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '50' },
        warmup: { type: 'string', default: '2' },
        residents: { type: 'string', default: '200' },
        profile: { type: 'string' },
        'server-flags': { type: 'string', default: '' },
        spike: { type: 'string', default: '400' },
        child: { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    usage();
  }
  const { values } = parsed;
  if (values.child) return runChild(values.child as ChildKind);
  const [duration, connections, warmup, residents] = [values.duration, values.connections, values.warmup, values.residents].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (!(duration >= 1 && duration <= 600) || !Number.isInteger(connections) || connections < 1 || connections > 1000) usage();
  if (!(warmup >= 0 && warmup <= 60) || !Number.isInteger(residents) || residents < 1) usage();
  const spike = Number(values.spike);
  if (!Number.isInteger(spike) || spike < 0 || spike > 2000) usage();

  // Node flags for the three servers (`--server-flags="--max-semi-space-size=64"`), and the CPU profile.
  const serverFlags = [
    ...serveScriptFlags(),
    ...(values['server-flags'] ?? '').split(' ').filter(Boolean),
    ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
  ];
  const { startBenchServices } = await import('./services.js');
  const { FERRETDB_VERSION } = await import('../services/ferretdb.js');
  const { DEMO_CHANNEL } = await import('../demo-channel.js');
  const { buildPush, queryString } = await import('../chat/wechat-request.js');

  const loadBefore = os.loadavg();
  const services = await startBenchServices('webhook', { recordBodies: false, maxCalls: 100 }, say);
  const { redis, ferret, mock } = services;
  try {
    const env: Record<string, string> = {
      ...DEMO_CHANNEL,
      REDIS_URL: redis.url,
      MONGODB_URI: ferret.uri('linli_bench'),
      WECHAT_API_BASE: mock.url,
      WECOM_API_BASE: mock.url,
      LOG_LEVEL: 'error',
    };
    const creds = {
      token: DEMO_CHANNEL.WECHAT_TOKEN,
      aesKey: DEMO_CHANNEL.WECHAT_ENCODING_AES_KEY,
      receiveId: DEMO_CHANNEL.WECHAT_APP_ID,
      toUser: 'gh_linlibench0001',
    };
    const runId = crypto.randomBytes(3).toString('hex');
    const senders = `oBench${runId}`;
    let seq = 0;
    /** A new signed push per request: a new MsgId (dedup does real work), from `residents` senders in turn. */
    const pushRequest =
      (mode: 'plain' | 'safe') =>
      (req: AutocannonRequest): AutocannonRequest => {
        seq += 1;
        const now = Math.floor(Date.now() / 1000);
        const wire = buildPush(
          mode,
          creds,
          { type: 'text', content: '1' },
          { fromUser: `${senders}${seq % residents}`, createTime: now, msgId: `${9_000_000_000 + seq}` },
          { timestamp: now, nonce: String(100_000_000 + (seq % 1_000_000_000)) },
        );
        return { ...req, method: 'POST', path: `/wechat${queryString(wire.query)}`, headers: { 'content-type': 'text/xml' }, body: wire.body };
      };
    const webhookLoad = (mode: 'plain' | 'safe', envelope: string) => ({
      requests: [{ setupRequest: pushRequest(mode) }],
      verifyBody: (b: string) => b.startsWith(envelope),
    });
    const cases = [
      { name: 'bare', label: 'bare Koa hello-world', load: { requests: [{ method: 'GET', path: '/' }], verifyBody: (b: string) => b === 'hello world' } },
      { name: 'plain', label: 'POST /wechat, plain mode', load: webhookLoad('plain', '<xml>') },
      { name: 'safe', label: 'POST /wechat, safe mode (encrypted)', load: webhookLoad('safe', '<xml>\n<Encrypt>') },
    ] as const;

    let worker: Child | undefined;
    const report: Record<string, unknown> = {};
    let bareRate = 0;
    for (const c of cases) {
      if (c.name !== 'bare' && !worker) {
        worker = await startChild('work', env);
        services.onStop(async () => void (await worker?.stop()));
      }
      const server = await startChild(c.name, env, serverFlags);
      services.onStop(async () => void (await server.stop()));
      const base = { url: server.url, connections, ...c.load };
      const since = Date.now();
      if (warmup > 0) {
        say(`${c.label}: warming up ${warmup} s…`);
        await autocannon({ ...base, duration: warmup });
      }
      say(`${c.label}: maximum rate, ${duration} s, ${connections} connections…`);
      const cpuBefore = (await server.ask<{ cpuMicros: number }>({ cmd: 'cpu' }, 'cpuMicros')).cpuMicros;
      const max = loadResult(await autocannon({ ...base, duration }));
      const cpuUsed = (await server.ask<{ cpuMicros: number }>({ cmd: 'cpu' }, 'cpuMicros')).cpuMicros - cpuBefore;
      // CPU per request does not depend on how loaded the machine is, unlike requests per second.
      const out: Record<string, unknown> = { max, serverCpuMicrosPerRequest: Math.round(cpuUsed / Math.max(1, max.requests)) };
      if (c.name === 'bare') bareRate = max.reqPerSec;
      else {
        const rate = Math.max(1, Math.floor(max.reqPerSec / 2));
        say(`${c.label}: half that rate (${rate}/s), ${duration} s…`);
        out.halfRate = { targetReqPerSec: rate, ...loadResult(await autocannon({ ...base, duration, overallRate: rate })) };
        out.ratioToBare = Math.round((max.reqPerSec / bareRate) * 1000) / 1000;
      }
      if (c.name === 'plain' && spike > 0) out.spike = await spikeRun(base, spike, duration, say);
      out.serverPeakRssMB = await server.stop();
      if (worker && c.name !== 'bare') out.writeBack = await writeBackCaughtUp(worker, senders, since, residents);
      report[c.name] = out;
    }
    const workerPeakRssMB = (await worker?.stop()) ?? 0;
    type Webhook = { max: LoadResult; halfRate: LoadResult; ratioToBare: number };
    const plain = report.plain as Webhook;
    const safe = report.safe as Webhook;
    process.stdout.write(
      `${JSON.stringify(
        {
          command: `npm run bench:webhook -- --duration ${duration} --connections ${connections} --residents ${residents}${values['server-flags'] ? ` --server-flags="${values['server-flags']}"` : ''}`,
          machine: {
            node: process.version,
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? 'unknown',
            platform: `${os.platform()} ${os.release()}`,
            loadAverageBefore: loadBefore.map((x) => Math.round(x * 100) / 100),
            loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
          },
          database: `FerretDB ${FERRETDB_VERSION} (SQLite backend)`,
          serverNodeFlags: serverFlags.filter((f) => !f.startsWith('--cpu-prof')),
          duration_s: duration,
          connections,
          residents,
          results: { a_bare_koa: report.bare, b_webhook_plain: plain, c_webhook_safe: safe },
          workerPeakRssMB,
          ratios: { b_over_a: plain.ratioToBare, c_over_a: safe.ratioToBare },
          /** Server CPU per request relative to bare Koa's: the same ratio, free of other load on the machine. */
          cpuPerRequestRatios: {
            a_over_b: cpuRatio(report.bare, report.plain),
            a_over_c: cpuRatio(report.bare, report.safe),
          },
          targets: {
            plain_ratio_at_least_0_25: plain.ratioToBare >= 0.25,
            safe_ratio_at_least_0_2: safe.ratioToBare >= 0.2,
            p99_at_half_rate_at_most_25ms: plain.halfRate.p99Ms <= 25 && safe.halfRate.p99Ms <= 25,
            no_failed_request: [plain.max, plain.halfRate, safe.max, safe.halfRate].every((r) => failed(r) === 0),
            ...(spike > 0 ? { spike_every_push_answered_within_5s: spikeOk(report.plain) } : {}),
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    say('stopping everything it started…');
    await services.stopAll();
  }
}

/** WeChat gives up on an answer after 5 s (and retries); every push must be answered before. */
const WECHAT_WAIT_MS = 5000;

/**
 * A spike (WeChat's pushes after a notice, many residents at once): `connections` at full speed.
 * Every push must be answered within WeChat's 5 s — passively, or `success` with the reply sent
 * later (counted as `late`); `over5s` counts those that were not.
 */
async function spikeRun(base: Record<string, unknown>, connections: number, duration: number, say: (line: string) => void) {
  say(`POST /wechat, plain mode: a spike of ${connections} connections, ${duration} s…`);
  let over5s = 0;
  const setupClient = (client: { on(event: 'response', f: (status: number, bytes: number, ms: number) => void): void }) =>
    client.on('response', (_status, _bytes, ms) => {
      if (ms > WECHAT_WAIT_MS) over5s += 1;
    });
  const r = await autocannon({ ...base, connections, duration, setupClient, timeout: 30 });
  const { notPassive, ...rest } = loadResult(r);
  return { connections, ...rest, late: notPassive, maxMs: r.latency.max, over5s };
}

const spikeOk = (plain: unknown) => {
  const s = (plain as { spike: LoadResult & { over5s: number } }).spike;
  return s.over5s === 0 && s.errors + s.timeouts + s.non2xx === 0;
};

const cpuRatio = (a: unknown, b: unknown) => {
  const cpu = (x: unknown) => (x as { serverCpuMicrosPerRequest: number }).serverCpuMicrosPerRequest;
  return Math.round((cpu(a) / cpu(b)) * 1000) / 1000;
};

/** Wait (≤ 60 s) until no resident change is pending, then count the senders whose last message reached FerretDB. */
async function writeBackCaughtUp(worker: Child, senders: string, since: number, residents: number) {
  const started = Date.now();
  while ((await worker.ask<{ pending: number }>({ cmd: 'pending' }, 'pending')).pending > 0 && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainedInS = Math.round((Date.now() - started) / 100) / 10;
  const { written } = await worker.ask<{ written: number }>({ cmd: 'written', prefix: senders, since }, 'written');
  return { drainedAfterLoadS: drainedInS, residentsWithLastMessageInMongo: `${written}/${residents}` };
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
