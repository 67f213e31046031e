import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Mount } from '../../bot/app.js';
import { listen, type RunningServer } from '../../bot/server.js';
import { freePort, isListening } from '../../scripts/services/ports.js';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { mongoUri } from '../support/services.js';
import { createTestRuntime, TEST_ENV, type TestRuntime } from '../support/runtime.js';
import { gate, START_MS, waitFor, within, type Gate } from '../support/wait-for.js';

let t: TestRuntime;
beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'server' });
});
afterAll(() => t?.close());

describe('listen(): graceful close', () => {
  /** `GET /slow` answers once the test opens this gate. */
  let slowStep: Gate;
  const slow: Mount = (app) => {
    app.use(async (ctx, next) => {
      if (ctx.path !== '/slow') return next();
      await slowStep.pass();
      ctx.body = 'done';
    });
  };
  let running: RunningServer;
  let port: number;

  const start = async () => {
    slowStep = gate();
    running = await listen(createApp(t.rt, [slow]), '127.0.0.1', 0, t.rt.log);
    port = Number(new URL(running.url).port);
  };
  afterEach(async () => {
    slowStep.open();
    if (running?.server.listening) await running.close(0);
  });

  it('finishes an in-flight request, refusing new connections meanwhile and afterwards', async () => {
    await start();
    const request = fetch(`${running.url}/slow`).then(async (res) => ({ status: res.status, body: await res.text() }));
    await slowStep.reached;
    let closed = false;
    // A timeout longer than the test's own: waiting for it would fail the test.
    const closing = running.close(600_000).then(() => (closed = true));
    expect(await isListening(port)).toBe(false); // no longer listening while draining
    expect(closed).toBe(false); // …and still draining: the request holds it open
    slowStep.open();
    await within('close() after the in-flight request finished', closing);
    expect(await request).toEqual({ status: 200, body: 'done' });
    expect(await isListening(port)).toBe(false);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('does not wait for idle keep-alive connections', async () => {
    await start();
    running.server.keepAliveTimeout = 0; // an idle connection now stays open until someone closes it
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
    await waitFor('the idle connection back in the agent', () => Object.values(agent.freeSockets).flat().length === 1);
    await within('close() with an idle keep-alive connection open', running.close(600_000));
    agent.destroy();
  });

  it('cuts off a request still running after the timeout', async () => {
    await start();
    const request = fetch(`${running.url}/slow`).then(
      (res) => res.status,
      (err: Error) => err,
    );
    await slowStep.reached; // and the gate stays shut: this request never finishes by itself
    await within('close(200) with a request that never finishes', running.close(200));
    expect(await request).toBeInstanceOf(Error);
  });
});

/** `npm run serve`'s command line (without npm) with exactly `env` (plus PATH/HOME), collecting its output. */
function serve(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = pkg.scripts.serve!.split(' ');
  const child = spawn(command!, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: `${path.join(PROJECT_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  children.push(child);
  return { child, output: () => out, exited };
}

/** The process that runs our code: `pid`, or the innermost child of a wrapper (`tsx` CLI, shell). */
function innermost(pid: number): number {
  for (;;) {
    const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    const child = Number(r.stdout.trim().split('\n')[0]);
    if (!child) return pid;
    pid = child;
  }
}
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * Whether the process listening on `serverPort` has read all that `clientPort` sent it: nothing
 * left in the server side's receive queue, nothing unacknowledged on the client side
 * (/proc/net/tcp). Node parses what it reads at once, so the request is in flight from then on.
 */
function serverHasRead(serverPort: number, clientPort: number): boolean {
  const rows = fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  const port = (address: string) => Number.parseInt(address.split(':')[1]!, 16);
  const queues = (local: number, remote: number) =>
    rows
      .find((r) => port(r[1]!) === local && port(r[2]!) === remote)?.[4]
      ?.split(':')
      .map((hex) => Number.parseInt(hex, 16));
  const [, serverRx] = queues(serverPort, clientPort) ?? [];
  const [clientTx] = queues(clientPort, serverPort) ?? [];
  return serverRx === 0 && clientTx === 0;
}

/** The server's own timeout is longer than any test: a process that waited for it fails the test. */
const NO_SHUTDOWN_TIMEOUT = { SHUTDOWN_TIMEOUT_MS: '600000' };

/** `npm run serve` on a free port with this file's Redis and a fresh database, once it listens. */
async function served(env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = serve({
    ...TEST_ENV,
    ...NO_SHUTDOWN_TIMEOUT,
    HOST: '127.0.0.1',
    PORT: String(port),
    REDIS_URL: t.redis.url,
    MONGODB_URI: mongoUri('serve'),
    ...env,
  });
  await waitFor(
    'the server to listen',
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`serve exited early:\n${proc.output()}`);
      return isListening(port);
    },
    START_MS,
  );
  return { proc, port };
}

describe('bot/serve.ts as a process', { timeout: START_MS + 60_000 }, () => {
  it('on SIGTERM lets an in-flight request finish, exits 0 and frees the port', async () => {
    const { proc, port } = await served({ LOG_LEVEL: 'info' });

    // The real server has no slow route, so make the request slow from our side: send the
    // headers and half the JSON body, signal, then finish the body. The body parser is waiting.
    const [head, tail] = ['{"name":', '"x"}'];
    let finishBody = () => {};
    let sent!: () => void;
    const headSent = new Promise<void>((r) => (sent = r));
    let clientPort = 0;
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
      req.write(head, () => {
        clientPort = req.socket!.localPort!;
        sent();
      });
      finishBody = () => req.end(tail);
    });
    await headSent;
    await waitFor('the server to read the request so far', () => serverHasRead(port, clientPort));
    proc.child.kill('SIGTERM');
    await waitFor('the server to wait for the request in flight', () => proc.output().includes('waiting for in-flight requests'));
    expect(proc.child.exitCode).toBeNull(); // still draining
    finishBody();
    const res = await response;
    expect(res.status).toBe(401); // the request ran to completion (no token) rather than being dropped
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });

    expect(await within('exit after the last request', proc.exited)).toBe(0);
    expect(await isListening(port)).toBe(false);
    expect(proc.output()).toContain('stopped cleanly');
  });

  it('with nothing in flight, exits 0 promptly on SIGTERM', async () => {
    const { proc, port } = await served();
    proc.child.kill('SIGTERM');
    expect(await within('exit on SIGTERM', proc.exited)).toBe(0);
    expect(await isListening(port)).toBe(false);
  });

  it('a SIGTERM that arrives while the process cannot run (a loaded machine) still stops it gracefully', async () => {
    const { proc } = await served({ LOG_LEVEL: 'info' });
    const code = innermost(proc.child.pid!);
    process.kill(code, 'SIGSTOP'); // what a busy CPU does to it, for as long as we like
    try {
      proc.child.kill('SIGTERM');
      // Time for a signal-relaying wrapper to give up on it (the tsx CLI SIGKILLs after 60 ms);
      // nothing here waits for the process, so this pause cannot make the test fail wrongly.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      try {
        process.kill(code, 'SIGCONT');
      } catch {
        /* already gone */
      }
    }
    expect(await within('exit on SIGTERM', proc.exited)).toBe(0);
    expect(proc.output()).toContain('stopped cleanly');
  });

  it('gives up on an unreachable Redis after STARTUP_TIMEOUT_MS and exits non-zero naming it', async () => {
    const closed = await freePort();
    const proc = serve({ ...TEST_ENV, PORT: '0', STARTUP_TIMEOUT_MS: '1500', REDIS_URL: `redis://127.0.0.1:${closed}`, MONGODB_URI: mongoUri('serve') });
    const code = await within('exit after STARTUP_TIMEOUT_MS', proc.exited, START_MS);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(proc.output()).toMatch(/linli: cannot start: Redis \(REDIS_URL\) is not reachable after \d+ attempts/);
  });
});
