import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Mount } from '../../bot/app.js';
import { listen, type RunningServer } from '../../bot/server.js';
import { freePort, isListening } from '../../scripts/services/ports.js';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { mongoUri } from '../support/services.js';
import { createTestRuntime, TEST_ENV, type TestRuntime } from '../support/runtime.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestRuntime;
beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'server' });
});
afterAll(() => t?.close());

describe('listen(): graceful close', () => {
  let started: () => void;
  let handlerStarted: Promise<void>;
  let delayMs = 500;
  /** `GET /slow` answers after `delayMs`; `handlerStarted` resolves once it is running. */
  const slow: Mount = (app) => {
    app.use(async (ctx, next) => {
      if (ctx.path !== '/slow') return next();
      started();
      await sleep(delayMs);
      ctx.body = 'done';
    });
  };
  let running: RunningServer;
  let port: number;

  const start = async () => {
    handlerStarted = new Promise<void>((r) => (started = r));
    running = await listen(createApp(t.rt, [slow]), '127.0.0.1', 0, t.rt.log);
    port = Number(new URL(running.url).port);
  };
  afterEach(async () => {
    if (running?.server.listening) await running.close(0);
  });

  it('finishes an in-flight request, refusing new connections meanwhile and afterwards', async () => {
    delayMs = 500;
    await start();
    const request = fetch(`${running.url}/slow`).then(async (res) => ({ status: res.status, body: await res.text() }));
    await handlerStarted;
    const t0 = Date.now();
    const closed = running.close(5000);
    await sleep(50);
    expect(await isListening(port)).toBe(false); // no longer listening while draining
    await closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350); // it waited for the request…
    expect(Date.now() - t0).toBeLessThan(3000); // …and not for the timeout
    expect(await request).toEqual({ status: 200, body: 'done' });
    expect(await isListening(port)).toBe(false);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('does not wait for idle keep-alive connections', async () => {
    await start();
    const agent = new http.Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${running.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        })
        .on('error', reject);
    });
    expect(status).toBe(200);
    const t0 = Date.now();
    await running.close(5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    agent.destroy();
  });

  it('cuts off a request still running after the timeout', async () => {
    delayMs = 3000;
    await start();
    const request = fetch(`${running.url}/slow`).then(
      (res) => res.status,
      (err: Error) => err,
    );
    await handlerStarted;
    const t0 = Date.now();
    await running.close(200);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await request).toBeInstanceOf(Error);
  });
});

/** Spawn `tsx bot/serve.ts` with exactly `env` (plus PATH/HOME), collecting its output. */
function serve(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['bot/serve.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  children.push(child);
  return { child, output: () => out, exited };
}
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('bot/serve.ts as a process', () => {
  it('on SIGTERM lets an in-flight request finish, exits 0 and frees the port', async () => {
    const port = await freePort();
    const proc = serve({ ...TEST_ENV, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), REDIS_URL: t.redis.url, MONGODB_URI: mongoUri('serve') });
    await waitFor('/healthz', 20_000, async () => {
      if (proc.child.exitCode !== null) throw new Error(`serve exited early:\n${proc.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200 ? true : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${proc.output()}`);
    });

    // The real server has no slow route, so make the request slow from our side: send the
    // headers and half the JSON body, signal, then finish the body. The body parser is waiting.
    const [head, tail] = ['{"name":', '"x"}'];
    let finishBody = () => {};
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/staff',
          headers: { 'content-type': 'application/json', 'content-length': head.length + tail.length },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write(head);
      finishBody = () => req.end(tail);
    });
    await sleep(200); // let the server see the request start
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    await sleep(300);
    expect(proc.child.exitCode).toBeNull(); // still draining
    finishBody();
    const res = await response;
    expect(res.status).toBe(401); // the request ran to completion (no token) rather than being dropped
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });

    expect(await proc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await isListening(port)).toBe(false);
    expect(proc.output()).toContain('stopped cleanly');
  });

  it('with nothing in flight, exits 0 promptly on SIGTERM', async () => {
    const port = await freePort();
    const proc = serve({ ...TEST_ENV, HOST: '127.0.0.1', PORT: String(port), REDIS_URL: t.redis.url, MONGODB_URI: mongoUri('serve') });
    await waitFor('the port', 20_000, async () => ((await isListening(port)) ? true : undefined));
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await isListening(port)).toBe(false);
  });

  it('gives up on an unreachable Redis after STARTUP_TIMEOUT_MS and exits non-zero naming it', async () => {
    const closed = await freePort();
    const t0 = Date.now();
    const proc = serve({ ...TEST_ENV, PORT: '0', STARTUP_TIMEOUT_MS: '1500', REDIS_URL: `redis://127.0.0.1:${closed}`, MONGODB_URI: mongoUri('serve') });
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(proc.output()).toMatch(/linli: cannot start: Redis \(REDIS_URL\) is not reachable after \d+ attempts/);
  });
});
