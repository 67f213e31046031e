/**
 * `npm run bench:broadcast [-- --recipients 10000,100000 --workers 1 --concurrency 20 --rate 200 --rate-seconds 10]`:
 * how fast a notice reaches its recipients, exactly once, whether the rate stays flat as the
 * broadcast grows, and how close a rate limit is kept.
 *
 *   (a) no-op     — the ceiling: as many no-op BullMQ jobs as the largest broadcast, processed by
 *                   a no-op Worker on the same Redis with the same total concurrency;
 *   (b) broadcast — for each size in `--recipients`, residents seeded up to that size and a notice to all of them,
 *                   released through the real audit: fan-out into batches and batch jobs, leases,
 *                   the channel choice (10% of the residents are inside the 48-hour window), the
 *                   mock WeChat API, the batches' logs — with no rate limit, each size with a fresh
 *                   worker process (whose peak RSS it reports). Duplicates and missing recipients
 *                   are counted from the mock's successful sends and the deliveries the logs record
 *                   (both must be 0); a flat rate from the smallest to the largest size means cost
 *                   per delivery does not grow with the broadcast;
 *   (c) rate      — a notice to `rate × rate-seconds` residents with BROADCAST_RATE_PER_S = `rate`:
 *                   the rate achieved, from the mock's call timestamps.
 *
 * It starts its own redis-server and FerretDB (temporary directories) and the mock WeChat API
 * (bodies not recorded), runs the workers as `tsx bot/worker.ts` child processes, prints one JSON
 * document on stdout (progress on stderr) and stops everything it started.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { Queue, Worker } from 'bullmq';
import { isMain } from '../is-main.js';
import { ferretCpuMs, redisCpuMs, startWorkerChild, type WorkerUsage } from './worker-child.js';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USAGE =
  'usage: npm run bench:broadcast -- [--recipients N[,N…]] [--workers N] [--concurrency N] [--rate PER_S(0 = skip)] [--rate-seconds S]\n' +
  '  --recipients   broadcast sizes, ascending (default 10000,100000): residents are seeded up to each size before its broadcast\n' +
  '  --workers      worker processes (default 1)\n' +
  '  --concurrency  WORKER_CONCURRENCY of each: sends in flight per process (default 20)\n' +
  '  --rate         BROADCAST_RATE_PER_S for the rate-limit run (default 200; 0 skips it)\n' +
  '  --rate-seconds how long that run lasts at the limit (default 10)\n';

interface Options {
  sizes: number[];
  workers: number;
  concurrency: number;
  rate: number;
  rateSeconds: number;
}

function options(): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        recipients: { type: 'string', default: '10000,100000' },
        workers: { type: 'string', default: '1' },
        concurrency: { type: 'string', default: '20' },
        rate: { type: 'string', default: '200' },
        'rate-seconds': { type: 'string', default: '10' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const o = {
    sizes: String(values.recipients).split(',').map(Number),
    workers: Number(values.workers),
    concurrency: Number(values.concurrency),
    rate: Number(values.rate),
    rateSeconds: Number(values['rate-seconds']),
  };
  const int = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
  if (
    !o.sizes.every((n, i) => int(n, 1, 1_000_000) && (i === 0 || n > o.sizes[i - 1]!)) ||
    !int(o.workers, 1, 16) ||
    !int(o.concurrency, 1, 1000) ||
    !(o.rate >= 0) ||
    !(o.rateSeconds > 0 && o.rateSeconds <= 120)
  ) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  return o;
}

async function main(): Promise<void> {
  const o = options();
  const largest = o.sizes[o.sizes.length - 1]!;
  const { startBenchServices } = await import('./services.js');
  const { FERRETDB_VERSION } = await import('../services/ferretdb.js');
  const { DEMO_CHANNEL } = await import('../demo-channel.js');
  const { loadConfig } = await import('../../bot/config.js');
  const { createRuntime } = await import('../../bot/runtime.js');
  const { queueBroadcastPort } = await import('../../bot/broadcast/queue-port.js');
  const { redisBroadcastStore } = await import('../../bot/broadcast/store.js');
  const { residentIdFor } = await import('../../models/resident.js');
  const { createNotice } = await import('../../handlers/notices/drafts.js');
  const { editNotice, releaseNotice, verifyNotice } = await import('../../handlers/notices/audit-actions.js');
  const { noticeProgress } = await import('../../handlers/notices/progress.js');
  const { fanoutStates } = await import('../../handlers/broadcast/state.js');

  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
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
    const store = redisBroadcastStore(rt.redis);

    // Residents: one community, 10% inside the 48-hour window, the first ones tagged for (c). Each
    // size is seeded just before its broadcast, so each notice's fan-out reads as many residents as
    // it has recipients (FerretDB scans the whole collection for any target filter).
    const rateN = o.rate > 0 ? Math.min(largest, Math.round(o.rate * o.rateSeconds)) : 0;
    await models.Street.create({ code: 'sb', name: 'Bench street' });
    await models.Community.create({ code: 'bench', name: 'Bench community', streetCode: 'sb' });
    await models.Building.create({ code: 'b1', name: 'Building 1', communityCode: 'bench', streetCode: 'sb' });
    const hourAgo = new Date(Date.now() - 3600_000);
    const seed = { residents: 0, ms: 0 };
    const seedUpTo = async (n: number) => {
      const started = Date.now();
      for (let i = seed.residents; i < n; i += 1000) {
        const docs = [];
        for (let k = i; k < Math.min(n, i + 1000); k++) {
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
      seed.residents = n;
      seed.ms += Date.now() - started;
      say(`seeded ${n} residents`);
    };

    // (a) The ceiling: no-op jobs, same Redis, same total concurrency.
    const totalConcurrency = o.concurrency * o.workers;
    const noopQueue = new Queue('bench-noop', { connection: rt.redis, prefix: 'linli' });
    let t0 = Date.now();
    for (let i = 0; i < largest; i += 1000) {
      await noopQueue.addBulk(
        Array.from({ length: Math.min(1000, largest - i) }, (_, k) => ({
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
    while (noopDone < largest) await sleep(20);
    const noopMs = Date.now() - t0;
    await noopWorker.close();
    await noopQueue.obliterate({ force: true });
    await noopQueue.close();
    const noop = { jobs: largest, concurrency: totalConcurrency, addMs: noopAddMs, processMs: noopMs, perS: Math.round((largest / noopMs) * 1000) };
    say(`no-op: ${noop.perS} jobs/s`);

    const startAll = async (extra: Record<string, string>) => {
      const children = await Promise.all(Array.from({ length: o.workers }, () => startWorkerChild({ ...env, ...extra })));
      return async (): Promise<WorkerUsage> => {
        const usage = await Promise.all(children.map((c) => c.stop()));
        return { peakRssMb: Math.max(...usage.map((u) => u?.peakRssMb ?? 0)), cpuMs: usage.reduce((sum, u) => sum + (u?.cpuMs ?? 0), 0) };
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
    const successfulSends = () => {
      const s = mock.stats().byEndpoint;
      return (s.custom_send?.errcodes['0'] ?? 0) + (s.template_send?.errcodes['0'] ?? 0);
    };
    const finished = async (id: string) => {
      const t = await store.tally(id);
      return t.total !== null && t.finished >= t.total;
    };

    // (b) One broadcast per size, no rate limit, a fresh worker each.
    const broadcasts = [];
    for (const size of o.sizes) {
      await seedUpTo(size);
      const stopWorkers = await startAll({ BROADCAST_RATE_PER_S: '0' });
      mock.clearCalls();
      const entriesBefore = await models.DeliveryLog.estimatedDocumentCount();
      const cpuBefore = { bench: process.cpuUsage(), ferretdb: ferretCpuMs(ferret.uri('x')), redis: await redisCpuMs(rt.redis) };
      t0 = Date.now();
      const id = await release(`bench ${size}`, { all: true });
      let fanoutMs: number | null = null;
      let last = 0;
      let saidAt = Date.now();
      // Looked at every 100 ms (the finish time is that precise), reported every second.
      while (!(await finished(id))) {
        await sleep(100);
        if (fanoutMs === null && (await fanoutStates(models).findById(id, { done: 1 }).lean())?.done) fanoutMs = Date.now() - t0;
        if (Date.now() - saidAt < 1000) continue;
        const sent = successfulSends();
        say(
          `${size}: ${Math.round((Date.now() - t0) / 1000)} s: ${sent} sent (+${Math.round(((sent - last) * 1000) / (Date.now() - saidAt))}/s)${fanoutMs === null ? ', fan-out running' : ''}`,
        );
        last = sent;
        saidAt = Date.now();
        if (Date.now() - t0 > 60 * 60_000) throw new Error('the broadcast did not finish within an hour');
      }
      const totalMs = Date.now() - t0;
      const sends = successfulSends();
      let status = '';
      for (let i = 0; i < 40 && status !== 'completed'; i++) {
        status = (await models.Notice.findById(id).lean())?.status ?? '';
        if (status !== 'completed') await sleep(250);
      }
      const cpu = {
        bench: Math.round((process.cpuUsage(cpuBefore.bench).user + process.cpuUsage(cpuBefore.bench).system) / 1000),
        ferretdb: ferretCpuMs(ferret.uri('x')) - cpuBefore.ferretdb,
        redis: (await redisCpuMs(rt.redis)) - cpuBefore.redis,
      };
      const usage = await stopWorkers();
      const logEntries = (await models.DeliveryLog.estimatedDocumentCount()) - entriesBefore;
      t0 = Date.now();
      const p = await noticeProgress(models, id); // exact, from every batch's log
      const recordsReadMs = Date.now() - t0;
      const perS = Math.round((p.sent / totalMs) * 1000);
      const b = {
        recipients: size,
        fanoutMs,
        totalMs,
        deliveriesPerS: perS,
        ratioToNoop: Number((perS / noop.perS).toFixed(3)),
        successfulSends: sends,
        sentRecords: p.sent,
        failedRecords: p.failed,
        duplicates: sends - p.sent,
        missing: size - p.sent,
        noticeStatus: status,
        workerPeakRssMb: usage.peakRssMb,
        // CPU per 1,000 deliveries: the worker's (from running to stopped), FerretDB's, Redis's, and
        // this process's (the mock WeChat API and the polling).
        cpuMsPer1000: Object.fromEntries(Object.entries({ worker: usage.cpuMs, ...cpu }).map(([k, v]) => [k, Math.round((v * 1000) / size)])),
        logEntries,
        logEntriesPerBatch: Number((logEntries / Math.ceil(size / 100)).toFixed(1)),
        recordsReadMs,
      };
      say(
        `${size}: ${perS} deliveries/s (ratio ${b.ratioToNoop}), duplicates ${b.duplicates}, missing ${b.missing}, worker peak RSS ${usage.peakRssMb} MB, ${b.logEntriesPerBatch} log entries per batch, CPU ms per 1,000: ${JSON.stringify(b.cpuMsPer1000)}`,
      );
      broadcasts.push(b);
    }

    // (c) The rate limit.
    let rate: Record<string, unknown> | null = null;
    if (rateN > 0) {
      const stopWorkers = await startAll({ BROADCAST_RATE_PER_S: String(o.rate) });
      mock.clearCalls();
      const rid = await release('bench rate', { tags: ['bench-rate'] });
      while (!(await finished(rid))) await sleep(500);
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

    const flat = broadcasts.length > 1 ? Number((broadcasts.at(-1)!.deliveriesPerS / broadcasts[0]!.deliveriesPerS).toFixed(2)) : null;
    const out = {
      node: process.version,
      cpus: os.cpus().length,
      load: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
      ferretdb: FERRETDB_VERSION,
      seed,
      noop,
      broadcasts,
      largestToSmallestRate: flat,
      rateLimit: rate,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await services.stopAll();
  }
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
