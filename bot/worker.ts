import { loadConfigOrExit } from './config.js';
import { createRuntime } from './runtime.js';
import { createLogger } from './log.js';
import { startWorkers } from './workers/index.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';

/** `npm run worker`: every queue's BullMQ workers; SIGTERM finishes the jobs in hand first. */
async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const rt = await createRuntime(config, { log });
  const workers = startWorkers(rt);
  log.info({ queues: workers.workers.map((w) => w.name) }, 'workers running');
  onShutdownSignal(log, async () => {
    await workers.close(config.SHUTDOWN_TIMEOUT_MS);
    await rt.close();
    // Peak memory and CPU of this process's life (benchmarks read them; operators size machines by them).
    const u = process.resourceUsage();
    log.info({ peakRssMb: Math.round(u.maxRSS / 1024), cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }, 'workers stopped');
  });
}

main().catch(exitOnStartupError);
