import { loadConfigOrExit } from './config.js';
import { createRuntime } from './runtime.js';
import { createLogger } from './log.js';
import { startWorkers } from './workers/index.js';
import { registerSchedules } from './schedules.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';

/** `npm run worker`: every queue's BullMQ workers; SIGTERM finishes the jobs in hand first. */
async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const rt = await createRuntime(config, { log });
  const workers = startWorkers(rt);
  await registerSchedules(rt);
  // CPU so far (start-up) and, when it stops, peak memory and CPU of its life: benchmarks read them,
  // operators size machines by them.
  const cpuMs = () => Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000);
  log.info({ queues: workers.workers.map((w) => w.name), cpuMs: cpuMs() }, 'workers running');
  onShutdownSignal(log, async () => {
    await workers.close(config.SHUTDOWN_TIMEOUT_MS);
    await rt.close();
    log.info({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), cpuMs: cpuMs() }, 'workers stopped');
  });
}

main().catch(exitOnStartupError);
