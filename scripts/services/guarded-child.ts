import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/**
 * A service child process (redis-server, ferretdb) that cannot outlive us.
 *
 * Signal handlers cover Ctrl-C and SIGTERM, but not a SIGKILLed parent or a crashed test
 * runner, and Linux's PR_SET_PDEATHSIG is not reachable from Node. So the service runs under
 * a tiny bash guard that polls our pid and stops the service when we are gone.
 */
export interface GuardedChild {
  readonly pid: number;
  readonly alive: () => boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

const GUARD = `
parent=$1; shift
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5 & wait $!; done
kill -TERM $child 2>/dev/null
wait $child
`;

/** Start `cmd args` guarded by our pid; output goes to `logFile` (appended). */
export function spawnGuarded(cmd: string, args: string[], opts: { logFile: string; cwd?: string }): GuardedChild {
  const out = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn('bash', ['-c', GUARD, 'linli-guard', String(process.pid), cmd, ...args], {
    stdio: ['ignore', out, out],
    cwd: opts.cwd,
    detached: true, // own process group, so a terminal's Ctrl-C reaches us first and we stop it in order
  });
  fs.closeSync(out);
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      alive = false;
      resolve(code);
    });
  });
  child.unref();
  return {
    pid: child.pid!,
    alive: () => alive,
    exited,
    async stop(graceMs = 5000) {
      if (!alive) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
