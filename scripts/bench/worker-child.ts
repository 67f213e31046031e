/** The benchmarks' view of the processes they start: a worker child and its usage, FerretDB's and Redis's CPU. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time of the FerretDB process listening on the URI's port (from /proc; 0 where there is none). */
export function ferretCpuMs(uri: string): number {
  const port = new URL(uri).port;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('ferretdb') || !cmd.includes(`:${port}`) || cmd.startsWith('bash')) continue;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // utime + stime, in ticks of 1/100 s
    } catch {
      /* gone or not ours */
    }
  }
  return 0;
}

/** CPU time of the redis-server (INFO cpu). */
export async function redisCpuMs(redis: { info(section: string): Promise<string> }): Promise<number> {
  const info = await redis.info('cpu');
  const n = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return Math.round((n('used_cpu_sys') + n('used_cpu_user')) * 1000);
}

export interface WorkerUsage {
  peakRssMb: number;
  cpuMs: number;
}

export interface WorkerChild {
  child: ChildProcess;
  /** SIGTERM, wait for the exit; resolves with the peak RSS and CPU time the worker reported. */
  stop(): Promise<WorkerUsage | null>;
}

/** `tsx bot/worker.ts` in its own process group; resolves when its workers run. */
export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['bot/worker.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (b: Buffer) => {
    out = (out + b.toString()).slice(-1_000_000);
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
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, 'SIGTERM');
        const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
        await exited;
        clearTimeout(t);
      }
      // CPU between "running" and "stopped": the work, without the start-up (tsx compiling the sources).
      const started = /"cpuMs":(\d+),"msg":"workers running"/.exec(out);
      const m = /"peakRssMb":(\d+),"cpuMs":(\d+)/.exec(out);
      return m ? { peakRssMb: Number(m[1]), cpuMs: Number(m[2]) - Number(started?.[1] ?? 0) } : null;
    },
  };
}
