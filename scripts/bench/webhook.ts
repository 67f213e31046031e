/**
 * `npm run bench:webhook [-- --duration 10 --connections 50]`: how much of a bare Koa server's
 * throughput the whole WeChat webhook keeps.
 *
 *   (a) bare    — a Koa hello-world, the ceiling on this machine;
 *   (b) plain   — `POST /wechat` plain-mode text pushes through the whole pipeline: signature,
 *                 XML, dedup claim in Redis (every request a new MsgId), resident upsert in
 *                 FerretDB, session read, the menu step, a passive reply;
 *   (c) safe    — the same, encrypted: msg_signature, AES decrypt, encrypted reply envelope.
 *
 * One process tree, loopback only: it starts its own redis-server and FerretDB (temporary
 * directories under $TMPDIR) and the mock WeChat API, serves each case from a forked child
 * process (so the load generator, autocannon, does not share the server's event loop), and
 * stops everything it started. Prints one JSON document on stdout (progress on stderr).
 *
 * `--residents N` (default 100) is how many different senders the pushes rotate through. It
 * matters on FerretDB 1.x: its SQLite backend answers the resident upsert's
 * `{channel, openid}` filter with a full table scan (the unique index is not used), so the
 * webhook's throughput falls as the residents collection grows (see README, Performance).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';

const SELF = fileURLToPath(import.meta.url);
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

type CaseName = 'bare' | 'plain' | 'safe';

// ---------------------------------------------------------------------------------------------
// Child: serve one case and report its URL over IPC.

async function serve(kind: CaseName): Promise<void> {
  let server: http.Server;
  let close = async () => {};
  if (kind === 'bare') {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'hello world';
    });
    server = http.createServer(app.callback());
  } else {
    const { loadConfig } = await import('../../bot/config.js');
    const { createRuntime } = await import('../../bot/runtime.js');
    const { createApp } = await import('../../bot/app.js');
    const { appMounts } = await import('../../bot/mounts.js');
    const rt = await createRuntime(loadConfig(process.env));
    server = http.createServer(createApp(rt, appMounts).callback());
    close = async () => {
      await handlersFinished(rt.redis, 30_000);
      await rt.close();
    };
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.send!({ url: `http://127.0.0.1:${port}` });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    server.closeAllConnections();
    server.close();
    void close().finally(() => process.exit(0));
  });
}

/**
 * Handlers that missed the reply deadline keep running after their HTTP answer; wait until no
 * dedup claim is still `running` before closing Redis and MongoDB under them.
 */
async function handlersFinished(redis: import('ioredis').Redis, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    let running = 0;
    const stream = redis.scanStream({ match: 'wx:inbound:*', count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length) running += (await redis.mget(...keys)).filter((v) => v?.includes('"state":"running"')).length;
    }
    if (running === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: services, load, report.

/** The part of autocannon's programmatic API used here (the package has no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  duration: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface CaseResult {
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

function startChild(kind: CaseName, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    // The server's log (stdout) goes to our stderr: stdout carries only the JSON report.
    const execArgv = process.env.BENCH_PROFILE_DIR ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : process.execArgv;
    const child = fork(SELF, ['--serve', kind], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 2, 2, 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited early (code ${code})`)));
    child.once('message', (m) => resolve({ url: (m as { url: string }).url, child }));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.removeAllListeners('exit'); // startChild's "exited early" listener
  const exited = new Promise((r) => child.once('exit', r));
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
      residents: { type: 'string', default: '100' },
      serve: { type: 'string' },
    },
  });
  if (values.serve) return serve(values.serve as CaseName);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const warmup = Number(values.warmup);
  const residents = Number(values.residents);
  if (
    !(duration >= 1 && duration <= 600) ||
    !Number.isInteger(connections) ||
    connections < 1 ||
    connections > 1000 ||
    !(warmup >= 0 && warmup <= 60) ||
    !Number.isInteger(residents) ||
    residents < 1
  ) {
    process.stderr.write('usage: npm run bench:webhook -- [--duration SECONDS(1-600)] [--connections N(1-1000)] [--warmup SECONDS] [--residents N]\n');
    process.exit(2);
  }

  const { startBenchServices } = await import('./services.js');
  const { FERRETDB_VERSION } = await import('../services/ferretdb.js');
  const { DEMO_CHANNEL } = await import('../demo-channel.js');
  const { buildPush, queryString } = await import('../chat/wechat-request.js');

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

    let seq = 0;
    const runId = crypto.randomBytes(3).toString('hex');
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
          { fromUser: `oBench${runId}${seq % residents}`, createTime: now, msgId: `${9_000_000_000 + seq}` },
          { timestamp: now, nonce: String(100_000_000 + (seq % 1_000_000_000)) },
        );
        return { ...req, method: 'POST', path: `/wechat${queryString(wire.query)}`, headers: { 'content-type': 'text/xml' }, body: wire.body };
      };

    const cases: Array<{ name: CaseName; label: string; load: Record<string, unknown> }> = [
      { name: 'bare', label: 'bare Koa hello-world', load: { requests: [{ method: 'GET', path: '/' }], verifyBody: (b: string) => b === 'hello world' } },
      {
        name: 'plain',
        label: 'POST /wechat, plain mode',
        load: { requests: [{ setupRequest: pushRequest('plain') }], verifyBody: (b: string) => b.startsWith('<xml>') },
      },
      {
        name: 'safe',
        label: 'POST /wechat, safe mode (encrypted)',
        load: { requests: [{ setupRequest: pushRequest('safe') }], verifyBody: (b: string) => b.startsWith('<xml>\n<Encrypt>') },
      },
    ];

    const results: Partial<Record<CaseName, CaseResult>> = {};
    for (const c of cases) {
      const { url, child } = await startChild(c.name, env);
      services.onStop(() => stopChild(child));
      const base = { url, connections, ...c.load };
      if (warmup > 0) {
        say(`${c.label}: warming up ${warmup} s…`);
        await autocannon({ ...base, duration: warmup });
      }
      say(`${c.label}: ${duration} s, ${connections} connections…`);
      const r = await autocannon({ ...base, duration });
      results[c.name] = {
        reqPerSec: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
        notPassive: r.mismatches,
        requests: r.requests.total,
      };
      await stopChild(child);
    }
    const ratio = (x?: CaseResult) => (x && results.bare ? Math.round((x.reqPerSec / results.bare.reqPerSec) * 1000) / 1000 : null);
    const report = {
      command: `npm run bench:webhook -- --duration ${duration} --connections ${connections} --residents ${residents}`,
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        platform: `${os.platform()} ${os.release()}`,
        dataDir: os.tmpdir(),
      },
      database: `FerretDB ${FERRETDB_VERSION} (SQLite backend)`,
      duration_s: duration,
      connections,
      residents,
      results: { a_bare_koa: results.bare, b_webhook_plain: results.plain, c_webhook_safe: results.safe },
      ratios: { b_over_a: ratio(results.plain), c_over_a: ratio(results.safe) },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    say('stopping everything it started…');
    await services.stopAll();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
