import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, isPortFree, waitForPort } from './ports.js';
import { spawnGuarded, type GuardedChild } from './guarded-child.js';
import { ServiceError } from './errors.js';

export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  /** Stop the server (data stays in its directory). */
  stop(): Promise<void>;
  /** Start it again on the same port and directory (used by the /readyz test). */
  restart(): Promise<void>;
}

/** Fail early with an install hint when redis-server is missing. */
function redisBinary(): string {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return 'redis-server';
  } catch {
    throw new ServiceError(
      'redis-server is not on PATH. Install it (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_URL to an existing Redis ≥ 6.2.',
    );
  }
}

/** Whether the Redis answering on 127.0.0.1:`port` works in `dataDir` (CONFIG GET dir), i.e. is the one started there. */
export function servesDir(port: number, dataDir: string, timeoutMs = 10_000): Promise<boolean> {
  const dir = fs.realpathSync(dataDir);
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n'));
    const done = (ours: boolean) => {
      socket.destroy();
      resolve(ours);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (!answer.startsWith('*')) return done(false); // an error reply, or not Redis at all
      const lines = answer.split('\r\n'); // *2, $3, dir, $<n>, <dir>, '' once complete
      if (lines.length >= 6) done(lines[4] === dir);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/**
 * Start a private redis-server on a free port with its data in `dataDir`.
 * `persistent` keeps an append-only file (npm start); tests run memory-only.
 * A port taken between choosing and binding is retried with another port; so is a taken
 * `preferredPort` (e.g. a stable port for `npm start`), which is only a preference.
 */
export async function startLocalRedis(opts: { dataDir: string; persistent: boolean; preferredPort?: number }): Promise<LocalRedis> {
  const bin = redisBinary();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logFile = path.join(opts.dataDir, 'redis.log');
  const persistence = opts.persistent ? ['--appendonly', 'yes', '--save', '60 1'] : ['--appendonly', 'no', '--save', ''];
  let child: GuardedChild | undefined;
  let port = 0;
  const launch = async () => {
    child = spawnGuarded(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dataDir, '--maxmemory-policy', 'noeviction', ...persistence], {
      logFile,
    });
    await waitForPort(port, 10_000, '127.0.0.1', () => child!.alive());
    // Whoever answers may be another process that took the port between our choosing and
    // binding it (ours then exits on "address in use"): use the server only if it is ours.
    if (!(await servesDir(port, opts.dataDir))) throw new Error(`port ${port} is answered by another process`);
  };
  for (let attempt = 1; ; attempt++) {
    port = attempt === 1 && opts.preferredPort && (await isPortFree(opts.preferredPort)) ? opts.preferredPort : await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      await child?.stop();
      if (attempt >= 5) throw new ServiceError(`redis-server did not start (see ${logFile}): ${(err as Error).message}`);
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => child!.stop(),
    restart: async () => {
      await child!.stop();
      await launch();
    },
  };
}
