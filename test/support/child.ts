/**
 * Our own processes as children of a test (`node --import tsx <script>`), in their own process
 * group so a test can SIGKILL one the way a crash would and SIGTERM one the way a deploy would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { START_MS } from './wait-for.js';

export interface ProcessChild {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGKILL the whole process group. */
  kill(): void;
  /** SIGTERM and wait for the exit (graceful close); SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/**
 * The command that runs one of our TypeScript entry points, as `npm run serve|worker|start` do:
 * node with tsx's loader, not the `tsx` CLI. The CLI runs the script in a second process and
 * relays signals to it, SIGKILLing it when it has not acknowledged one within 2 × 30 ms — on a
 * loaded machine a graceful SIGTERM would become a crash.
 */
export function tsEntry(script: string, args: string[] = []): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', script, ...args]];
}

/** `node --import tsx <script>` with exactly `env` (plus PATH and HOME); resolves once `ready(output)` holds. */
export async function startChild(script: string, env: Record<string, string>, ready: (output: string) => boolean, timeoutMs = START_MS): Promise<ProcessChild> {
  const [command, args] = tsEntry(script);
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const c: ProcessChild = {
    child,
    output: () => out,
    kill: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => c.kill(), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!ready(out)) {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) {
      c.kill();
      throw new Error(`${script} not ready after ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return c;
}
