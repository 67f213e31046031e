/**
 * The processes `bench:webhook` measures, each forked on its own (`--serve bare|plain|safe`,
 * `--work`): the server under load, and the worker process that writes the residents' changes
 * back to MongoDB behind it (as production runs `npm run serve` and `npm run worker`). A child
 * reports its URL over IPC when ready, answers the parent's questions (`pending`, `written`) and,
 * on `stop`, its peak RSS before it exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ChildKind = 'bare' | 'plain' | 'safe' | 'work';

/** Messages from the parent. */
export type ChildRequest = { cmd: 'stop' } | { cmd: 'cpu' } | { cmd: 'pending' } | { cmd: 'written'; prefix: string; since: number };
/** Messages to the parent. */
export type ChildReport = { ready: true; url?: string } | { cpuMicros: number } | { pending: number } | { written: number } | { maxRssBytes: number };

const send = (m: ChildReport) => process.send!(m);
/** CPU time this process has used (user + system), for CPU per request: it does not depend on how busy the machine is. */
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export async function runChild(kind: ChildKind): Promise<void> {
  if (kind === 'bare') return serveBare();
  const { loadConfig } = await import('../../bot/config.js');
  const { createRuntime } = await import('../../bot/runtime.js');
  const rt = await createRuntime(loadConfig(process.env));
  let stop: () => Promise<void>;
  let url: string | undefined;
  if (kind === 'work') {
    const { startWorkers } = await import('../../bot/workers/index.js');
    const { startResidentWriteBack } = await import('../../bot/residents/write-back.js');
    const workers = startWorkers(rt);
    const writeBack = startResidentWriteBack({ redis: rt.redis, models: rt.models, log: rt.log, writeBackMs: rt.config.RESIDENT_WRITE_BACK_MS });
    stop = async () => void (await Promise.all([workers.close(10_000), writeBack.close()]));
  } else {
    const { createApp } = await import('../../bot/app.js');
    const { appMounts } = await import('../../bot/mounts.js');
    const server = http.createServer(createApp(rt, appMounts).callback());
    url = await listen(server);
    stop = async () => {
      server.closeAllConnections();
      server.close();
      await handlersFinished(rt.redis, 30_000);
    };
  }
  process.on('message', (m: ChildRequest) => {
    if (m.cmd === 'cpu') send({ cpuMicros: cpuMicros() });
    else if (m.cmd === 'pending') void rt.redis.zcard('linli:resident-dirty').then((pending) => send({ pending }));
    else if (m.cmd === 'written')
      void rt.models.Resident.countDocuments({ openid: { $regex: `^${m.prefix}` }, lastInboundAt: { $gte: new Date(m.since) } }).then((written) =>
        send({ written }),
      );
    else if (m.cmd === 'stop')
      void stop()
        .then(() => rt.close())
        .finally(() => {
          send({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
          process.exit(0);
        });
  });
  send({ ready: true, ...(url ? { url } : {}) });
}

async function serveBare(): Promise<void> {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = 'hello world';
  });
  const server = http.createServer(app.callback());
  const url = await listen(server);
  process.on('message', (m: ChildRequest) => {
    if (m.cmd === 'cpu') return send({ cpuMicros: cpuMicros() });
    if (m.cmd !== 'stop') return;
    server.closeAllConnections();
    server.close();
    send({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    process.exit(0);
  });
  send({ ready: true, url });
}

async function listen(server: http.Server): Promise<string> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
