/**
 * Local service provisioning: real redis-server and FerretDB processes. The FerretDB tests reuse
 * the binary the global setup built (`ensureFerretdb` returns at once when it is current).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servesDir, startLocalRedis } from '../../scripts/services/redis.js';
import { ensureFerretdb, PROJECT_ROOT, startLocalFerretdb } from '../../scripts/services/ferretdb.js';
import { freePort, isListening } from '../../scripts/services/ports.js';
import { waitFor } from '../support/wait-for.js';

const dirs: string[] = [];
function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `linli-test-${name}-`));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Pids whose command line matches the regular expression `pattern` (pgrep -f). */
function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', pattern], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch (err) {
    if ((err as { status?: number }).status === 1) return []; // no match
    throw err;
  }
}
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** redis-server renames itself `redis-server 127.0.0.1:<port>`; its guard's command line has the data dir. */
const redisProcesses = (port: number, dataDir: string) => [...pgrep(`^redis-server 127\\.0\\.0\\.1:${port}$`), ...pgrep(`--dir ${escapeRegex(dataDir)} `)];
/** FerretDB and its guard both carry `--state-dir=<dataDir>`. */
const ferretProcesses = (dataDir: string) => pgrep(`--state-dir=${escapeRegex(dataDir)}`);

async function redisPing(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await client.ping();
  } finally {
    client.disconnect();
  }
}

async function mongoPing(uri: string): Promise<unknown> {
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000 }).asPromise();
  try {
    await conn.db!.collection('probe').insertOne({ ok: 1 });
    return await conn.db!.collection('probe').countDocuments();
  } finally {
    await conn.close();
  }
}

describe('startLocalRedis', () => {
  it('starts a redis-server that answers, and stop() leaves no process behind', async () => {
    const dir = tempDir('redis');
    const redis = await startLocalRedis({ dataDir: dir, persistent: false });
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisPing(redis.url)).toBe('PONG');
    expect(redisProcesses(redis.port, dir)).toHaveLength(2); // guard + server
    await redis.stop();
    expect(await isListening(redis.port)).toBe(false);
    expect(redisProcesses(redis.port, dir)).toEqual([]);
  });

  it('restarts on the same port', async () => {
    const redis = await startLocalRedis({ dataDir: tempDir('redis'), persistent: false });
    try {
      await redis.stop();
      expect(await isListening(redis.port)).toBe(false);
      await redis.restart();
      expect(await redisPing(redis.url)).toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('keeps data across a restart when persistent', async () => {
    const redis = await startLocalRedis({ dataDir: tempDir('redis'), persistent: true });
    const connect = async () => {
      const c = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await c.connect();
      return c;
    };
    try {
      const before = await connect();
      await before.set('k', 'v');
      before.disconnect();
      await redis.restart();
      const after = await connect();
      expect(await after.get('k')).toBe('v');
      after.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('recognises its own server: a port answered by another Redis or another program is not taken for it', async () => {
    const dir = tempDir('redis');
    const redis = await startLocalRedis({ dataDir: dir, persistent: false });
    const squatter = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      expect(await servesDir(redis.port, dir)).toBe(true);
      expect(await servesDir(redis.port, tempDir('redis'))).toBe(false); // someone else's Redis
      await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
      expect(await servesDir((squatter.address() as net.AddressInfo).port, dir)).toBe(false);
    } finally {
      squatter.close();
      await redis.stop();
    }
  });

  it('uses a free preferred port, and falls back to another when it is taken', async () => {
    const wanted = await freePort();
    const first = await startLocalRedis({ dataDir: tempDir('redis'), persistent: false, preferredPort: wanted });
    try {
      expect(first.port).toBe(wanted);
      expect(await redisPing(first.url)).toBe('PONG');
    } finally {
      await first.stop();
    }

    const squatter = net.createServer((s) => s.end('not redis\r\n'));
    await new Promise<void>((r) => squatter.listen(wanted, '127.0.0.1', r));
    try {
      const second = await startLocalRedis({ dataDir: tempDir('redis'), persistent: false, preferredPort: wanted });
      try {
        expect(second.port).not.toBe(wanted);
        expect(await redisPing(second.url)).toBe('PONG');
      } finally {
        await second.stop();
      }
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});

describe('startLocalFerretdb', () => {
  beforeAll(() => ensureFerretdb(), 15 * 60_000); // built once per checkout; normally instant

  it('starts FerretDB that answers, and stop() leaves no process behind', async () => {
    const dir = tempDir('ferretdb');
    const ferret = await startLocalFerretdb({ dataDir: dir });
    expect(ferret.uri('x')).toBe(`mongodb://127.0.0.1:${ferret.port}/x`);
    expect(await mongoPing(ferret.uri('probe'))).toBe(1);
    expect(ferretProcesses(dir)).toHaveLength(2); // guard + server
    await ferret.stop();
    expect(await isListening(ferret.port)).toBe(false);
    expect(ferretProcesses(dir)).toEqual([]);
  });
});

describe('a parent that dies without cleaning up', () => {
  beforeAll(() => ensureFerretdb(), 15 * 60_000);

  it('takes its redis-server and FerretDB with it (SIGKILL)', async () => {
    const redisDir = tempDir('orphan-redis');
    const ferretDir = tempDir('orphan-ferretdb');
    // One node process (no tsx wrapper in between), so its pid is the one the guards watch.
    const code = `
      const { startLocalRedis } = await import(${JSON.stringify(path.join(PROJECT_ROOT, 'scripts/services/redis.ts'))});
      const { startLocalFerretdb } = await import(${JSON.stringify(path.join(PROJECT_ROOT, 'scripts/services/ferretdb.ts'))});
      const [redis, ferret] = await Promise.all([
        startLocalRedis({ dataDir: ${JSON.stringify(redisDir)}, persistent: false }),
        startLocalFerretdb({ dataDir: ${JSON.stringify(ferretDir)} }),
      ]);
      console.log(JSON.stringify({ pid: process.pid, redisPort: redis.port, ferretPort: ferret.port }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const started = await new Promise<{ pid: number; redisPort: number; ferretPort: number }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.on('exit', (c) => reject(new Error(`child exited ${c}: ${stderr}`)));
      });
      expect(started.pid).toBe(child.pid);
      expect(redisProcesses(started.redisPort, redisDir)).toHaveLength(2);
      expect(ferretProcesses(ferretDir)).toHaveLength(2);

      child.kill('SIGKILL');
      // The guards look every half second; FerretDB then takes a moment to stop.
      await waitFor('the services to stop', () => redisProcesses(started.redisPort, redisDir).length === 0 && ferretProcesses(ferretDir).length === 0);
      expect(await isListening(started.redisPort)).toBe(false);
      expect(await isListening(started.ferretPort)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('building FerretDB', () => {
  it('without a built binary and without Go on PATH: a clear message naming what to install or set', async () => {
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-tools-'));
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(ensureFerretdb(() => {}, { toolsDir: tools })).rejects.toThrow(/Go is not on PATH.*MONGODB_URI/s);
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(tools, { recursive: true, force: true });
    }
  });

  it('builds into a fresh tools dir with the version file and the _id index patch, saying so once', async () => {
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-tools-'));
    const lines: string[] = [];
    try {
      const bin = await ensureFerretdb((l) => lines.push(l), { toolsDir: tools });
      expect(lines[0]).toMatch(/one-time build/);
      expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toMatch(/^version: v1\.24\.2$/m);
      const metadata = fs.readFileSync(path.join(tools, 'src/ferretdb-v1.24.2/internal/backends/sqlite/metadata/metadata.go'), 'utf8');
      expect(metadata).toContain(`IDColumn = DefaultColumn + "->'_id'"`);
      // A second call reuses the build; a build without the patch marker is rebuilt.
      lines.length = 0;
      await ensureFerretdb((l) => lines.push(l), { toolsDir: tools });
      expect(lines).toEqual([]);
      fs.rmSync(`${bin}.patch`);
      await ensureFerretdb((l) => lines.push(l), { toolsDir: tools });
      expect(lines[0]).toMatch(/one-time build/);
    } finally {
      fs.rmSync(tools, { recursive: true, force: true });
    }
  }, 300_000);
});
