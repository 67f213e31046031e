/**
 * `npm run bench:broadcast [-- --recipients 100000 --workers 1 --concurrency 20 --rate 200 --rate-seconds 10]`:
 * how fast a notice reaches its recipients, exactly once, and how close a rate limit is kept.
 *
 *   (a) no-op   — the ceiling: `recipients` no-op BullMQ jobs (addBulk), processed by no-op
 *                 Workers on the same Redis with the same total concurrency;
 *   (b) broadcast — a notice to every seeded resident, released through the real audit: fan-out
 *                 into Delivery records and deliver jobs, claims, the channel choice (10% of the
 *                 residents are inside the 48-hour window), the mock WeChat API, the records —
 *                 with no rate limit. Duplicates and missing recipients are counted from the mock's
 *                 successful sends and the Delivery records (both must be 0);
 *   (c) rate    — a second notice to `rate × rate-seconds` residents with BROADCAST_RATE_PER_S =
 *                 `rate`: the rate achieved, from the mock's call timestamps.
 *
 * It starts its own redis-server and FerretDB (temporary directories) and the mock WeChat API
 * (bodies not recorded), runs the workers as `tsx bot/worker.ts` child processes (`--workers 0`
 * runs them in this process), prints one JSON document on stdout (progress on stderr) and stops
 * everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { Queue, Worker } from 'bullmq';
import { isMain } from '../is-main.js';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Options {
  recipients: number;
  workers: number;
  concurrency: number;
  rate: number;
  rateSeconds: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      recipients: { type: 'string', default: '100000' },
      workers: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '20' },
      rate: { type: 'string', default: '200' },
      'rate-seconds': { type: 'string', default: '10' },
    },
  });
  const o = {
    recipients: Number(values.recipients),
    workers: Number(values.workers),
    concurrency: Number(values.concurrency),
    rate: Number(values.rate),
    rateSeconds: Number(values['rate-seconds']),
  };
  const int = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
  if (
    !int(o.recipients, 1, 1_000_000) ||
    !int(o.workers, 0, 16) ||
    !int(o.concurrency, 1, 1000) ||
    !(o.rate >= 0) ||
    !(o.rateSeconds > 0 && o.rateSeconds <= 120)
  ) {
    process.stderr.write(
      'usage: npm run bench:broadcast -- [--recipients N] [--workers N(0 = in-process)] [--concurrency N] [--rate PER_S(0 = skip)] [--rate-seconds S]\n',
    );
    process.exit(2);
  }
  return o;
}

async function main(): Promise<void> {
  const o = options();
  const { startBenchServices } = await import('./services.js');
  const { FERRETDB_VERSION } = await import('../services/ferretdb.js');
  const { DEMO_CHANNEL } = await import('../demo-channel.js');
  const { loadConfig } = await import('../../bot/config.js');
  const { createRuntime } = await import('../../bot/runtime.js');
  const { startWorkers } = await import('../../bot/workers/index.js');
  const { noticeFanoutWorker } = await import('../../bot/workers/notice-fanout.js');
  const { noticeDeliverWorker } = await import('../../bot/workers/notice-deliver.js');
  const { queueBroadcastPort } = await import('../../bot/broadcast/queue-port.js');
  const { residentIdFor } = await import('../../models/resident.js');
  const { createNotice } = await import('../../handlers/notices/drafts.js');
  const { editNotice, releaseNotice, verifyNotice } = await import('../../handlers/notices/audit-actions.js');
  const { noticeProgress } = await import('../../handlers/notices/progress.js');
  const { fanoutStates } = await import('../../handlers/broadcast/state.js');

  const services = await startBenchServices('broadcast', { recordBodies: false }, say);
  const { redis, ferret, mock } = services;

  try {
    const env: Record<string, string> = {
      ...DEMO_CHANNEL,
      REDIS_URL: redis.url,
      MONGODB_URI: ferret.uri('linli_bench_broadcast'),
      WECHAT_API_BASE: mock.url,
      WECHAT_NOTICE_TEMPLATE_ID: 'tmpl-bench-notice',
      WORKER_CONCURRENCY: String(o.concurrency),
      LOG_LEVEL: 'error',
    };
    const rt = await createRuntime(loadConfig(env));
    services.onStop(() => rt.close());
    const { models } = rt;

    // Seed: one community; 10% of the residents inside the 48-hour window; the first ones tagged for (c).
    const rateN = o.rate > 0 ? Math.min(o.recipients, Math.round(o.rate * o.rateSeconds)) : 0;
    await models.Street.create({ code: 'sb', name: 'Bench street' });
    await models.Community.create({ code: 'bench', name: 'Bench community', streetCode: 'sb' });
    await models.Building.create({ code: 'b1', name: 'Building 1', communityCode: 'bench', streetCode: 'sb' });
    let t0 = Date.now();
    const hourAgo = new Date(Date.now() - 3600_000);
    for (let i = 0; i < o.recipients; i += 1000) {
      const docs = [];
      for (let k = i; k < Math.min(o.recipients, i + 1000); k++) {
        const openid = `oBench${String(k).padStart(7, '0')}`;
        docs.push({
          _id: residentIdFor('wechat', openid),
          channel: 'wechat',
          openid,
          subscribed: true,
          registration: { streetCode: 'sb', communityCode: 'bench', buildingCode: 'b1' },
          tags: k < rateN ? ['bench-rate'] : [],
          lastInboundAt: k % 10 === 3 ? hourAgo : null,
          kfSentSinceInbound: 0,
        });
      }
      await models.Resident.insertMany(docs, { lean: true });
    }
    const seed = { residents: o.recipients, ms: Date.now() - t0 };
    say(`seeded ${o.recipients} residents in ${seed.ms} ms`);

    // (a) The ceiling: no-op jobs, same Redis, same total concurrency.
    const totalConcurrency = o.concurrency * Math.max(1, o.workers);
    const noopQueue = new Queue('bench-noop', { connection: rt.redis, prefix: 'linli' });
    t0 = Date.now();
    for (let i = 0; i < o.recipients; i += 1000) {
      await noopQueue.addBulk(
        Array.from({ length: Math.min(1000, o.recipients - i) }, (_, k) => ({
          name: 'noop',
          data: { i: i + k },
          opts: { jobId: `noop-${i + k}`, removeOnComplete: true },
        })),
      );
    }
    const noopAddMs = Date.now() - t0;
    let noopDone = 0;
    t0 = Date.now();
    const noopWorker = new Worker('bench-noop', async () => {}, { connection: rt.redis, prefix: 'linli', concurrency: totalConcurrency });
    noopWorker.on('completed', () => noopDone++);
    while (noopDone < o.recipients) await sleep(20);
    const noopMs = Date.now() - t0;
    await noopWorker.close();
    await noopQueue.obliterate({ force: true });
    await noopQueue.close();
    const noop = { jobs: o.recipients, concurrency: totalConcurrency, addMs: noopAddMs, processMs: noopMs, perS: Math.round((o.recipients / noopMs) * 1000) };
    say(`no-op: ${noop.perS} jobs/s`);

    // Workers: child processes, or in this process.
    const startAll = async (extra: Record<string, string>) => {
      if (o.workers === 0) {
        const cfg = loadConfig({ ...env, ...extra });
        const running = startWorkers({ ...rt, config: cfg }, [noticeFanoutWorker, noticeDeliverWorker]);
        return () => running.close();
      }
      const children = await Promise.all(Array.from({ length: o.workers }, () => startWorkerChild({ ...env, ...extra })));
      return async () => {
        await Promise.all(children.map((c) => c.stop()));
      };
    };

    let n = 0;
    const person = (duties: Array<'verify' | 'edit' | 'release'>) => ({
      id: new Types.ObjectId().toHexString(),
      name: `bench-${++n}`,
      role: 'committee' as const,
      duties,
      scope: { streetCode: 'sb', communityCode: 'bench' },
    });
    const deps = { models, clock: rt.clock, broadcast: queueBroadcastPort(rt.queues, rt.clock), log: rt.log };
    const release = async (title: string, targets: Record<string, unknown>) => {
      const { id } = await createNotice(deps, person([]), { title, body: '基准测试通知：请勿回复。', targets });
      await verifyNotice(deps, person(['verify']), id, {});
      await editNotice(deps, person(['edit']), id, {});
      await releaseNotice(deps, person(['release']), id, {});
      return id;
    };
    const tally = async (id: string) => {
      const [finished, total] = await rt.redis.hmget(`linli:bc:tally:${id}`, 'finished', 'total');
      return { finished: Number(finished ?? 0), total: total === null ? null : Number(total) };
    };
    const successfulSends = () => {
      const s = mock.stats().byEndpoint;
      return (s.custom_send?.errcodes['0'] ?? 0) + (s.template_send?.errcodes['0'] ?? 0);
    };

    // (b) The broadcast, no rate limit.
    let stopWorkers = await startAll({ BROADCAST_RATE_PER_S: '0' });
    mock.clearCalls();
    t0 = Date.now();
    const id = await release('bench broadcast', { all: true });
    let fanoutMs: number | null = null;
    let last = 0;
    for (;;) {
      await sleep(1000);
      const tl = await tally(id);
      if (fanoutMs === null && (await fanoutStates(models).findById(id).lean())?.done) fanoutMs = Date.now() - t0;
      const sent = successfulSends();
      say(
        `${Math.round((Date.now() - t0) / 1000)} s: ${sent} sent (+${sent - last}/s), ${tl.finished}/${tl.total ?? '?'} finished${fanoutMs === null ? ', fan-out running' : ''}`,
      );
      last = sent;
      if (tl.total !== null && tl.finished >= tl.total) break;
      if (Date.now() - t0 > 60 * 60_000) throw new Error('the broadcast did not finish within an hour');
    }
    const totalMs = Date.now() - t0;
    const sends = successfulSends();
    const p = await noticeProgress(models, id);
    let status = '';
    for (let i = 0; i < 20 && status !== 'completed'; i++) {
      status = (await models.Notice.findById(id).lean())?.status ?? '';
      if (status !== 'completed') await sleep(500);
    }
    const broadcast = {
      recipients: o.recipients,
      workers: o.workers,
      concurrencyPerWorker: o.concurrency,
      fanoutMs,
      totalMs,
      deliveriesPerS: Math.round((p.sent / totalMs) * 1000),
      successfulSends: sends,
      sentRecords: p.sent,
      failedRecords: p.failed,
      duplicates: sends - p.sent,
      missing: o.recipients - p.sent,
      noticeStatus: status,
      ratioToNoop: Number((((p.sent / totalMs) * 1000) / noop.perS).toFixed(3)),
    };
    say(`broadcast: ${broadcast.deliveriesPerS} deliveries/s, duplicates ${broadcast.duplicates}, missing ${broadcast.missing}`);
    await stopWorkers();

    // (c) The rate limit.
    let rate: Record<string, unknown> | null = null;
    if (rateN > 0) {
      stopWorkers = await startAll({ BROADCAST_RATE_PER_S: String(o.rate) });
      mock.clearCalls();
      const rid = await release('bench rate', { tags: ['bench-rate'] });
      for (;;) {
        await sleep(500);
        const tl = await tally(rid);
        if (tl.total !== null && tl.finished >= tl.total) break;
      }
      const times = mock
        .calls()
        .filter((c) => c.endpoint === 'custom_send' || c.endpoint === 'template_send')
        .map((c) => c.time)
        .sort((a, b) => a - b);
      let busiest = 0;
      for (let i = 0, j = 0; j < times.length; j++) {
        while (times[j]! - times[i]! >= 1000) i++;
        busiest = Math.max(busiest, j - i + 1);
      }
      const spanS = (times[times.length - 1]! - times[0]!) / 1000;
      rate = {
        limitPerS: o.rate,
        recipients: rateN,
        sends: times.length,
        spanS: Number(spanS.toFixed(2)),
        achievedPerS: Number(((times.length - 1) / spanS).toFixed(1)),
        busiestSecond: busiest,
      };
      say(`rate: ${rate.achievedPerS}/s against a limit of ${o.rate}/s`);
      await stopWorkers();
    }

    const out = { node: process.version, cpus: os.cpus().length, ferretdb: FERRETDB_VERSION, seed, noop, broadcast, rateLimit: rate };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await services.stopAll();
  }
}

interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `tsx bot/worker.ts` in its own process group; resolves when its workers run. */
async function startWorkerChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['bot/worker.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (b: Buffer) => {
    if (out.length < 1_000_000) out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => process.stderr.write(b));
  const deadline = Date.now() + 30_000;
  while (!out.includes('workers running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start: ${out.slice(-2000)}`);
    await sleep(100);
  }
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGTERM');
      const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
