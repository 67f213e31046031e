import { loadConfigOrExit } from './config.js';
import { createRuntime } from './runtime.js';
import { createLogger } from './log.js';
import { startWorkers } from './workers/index.js';
import { registerSchedules } from './schedules.js';
import { startResidentWriteBack } from './residents/write-back.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';

/**
 * `npm run worker`: every queue's BullMQ workers and the residents' write-back to MongoDB;
 * SIGTERM finishes the jobs and the write in hand first.
 */
async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const rt = await createRuntime(config, { log });
  // Handle SIGTERM before the workers start: a signal that finds no handler kills the process on
  // the spot, jobs in hand and all, and whoever reads "workers running" may send one at once.
  let workers: ReturnType<typeof startWorkers> | undefined;
  let writeBack: ReturnType<typeof startResidentWriteBack> | undefined;
  onShutdownSignal(log, async () => {
    await Promise.all([workers?.close(config.SHUTDOWN_TIMEOUT_MS), writeBack?.close()]);
    await rt.close();
  });
  workers = startWorkers(rt);
  await registerSchedules(rt);
  writeBack = startResidentWriteBack({ redis: rt.redis, models: rt.models, log, writeBackMs: config.RESIDENT_WRITE_BACK_MS });
  log.info({ queues: workers.workers.map((w) => w.name) }, 'workers running');
}

main().catch(exitOnStartupError);
