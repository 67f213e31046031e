import type { Logger } from './log.js';

/**
 * Run `stop` once on SIGINT/SIGTERM, then exit. A second signal while stopping exits at once
 * (the operator really means it). Returns a function that triggers the same shutdown.
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
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(130);
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
