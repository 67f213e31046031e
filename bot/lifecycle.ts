import type { Logger } from './log.js';

/** A repeated signal within this time of the first is the same request, relayed. */
const FORCE_AFTER_MS = 2000;

/**
 * Run `stop` once on SIGINT/SIGTERM, then exit. A second signal while stopping, more than 2 s
 * after the first, exits at once (the operator really means it). Returns a function that
 * triggers the same shutdown.
 */
export function onShutdownSignal(log: Logger, stop: (signal: string) => Promise<void>): (signal: string) => Promise<void> {
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    if (stopping) return stopping;
    log.info({ signal }, 'shutting down');
    stopping = stop(signal).then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
    return stopping;
  };
  let firstAt = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // Ctrl-C reaches every process of the terminal's group, and npm/tsx relay it too, so one
      // keypress can arrive twice within milliseconds: only a signal well after the first one
      // means "stop now".
      if (stopping) {
        if (Date.now() - firstAt > FORCE_AFTER_MS) process.exit(130);
        return;
      }
      firstAt = Date.now();
      void shutdown(sig);
    });
  }
  return shutdown;
}

/** Print a startup failure as one clear line and exit non-zero. */
export function exitOnStartupError(err: unknown): never {
  const e = err as Error;
  process.stderr.write(`linli: cannot start: ${e.name === 'StartupError' || e.name === 'ServiceError' ? e.message : (e.stack ?? String(e))}\n`);
  process.exit(1);
}
