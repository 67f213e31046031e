import { loadConfigOrExit } from './config.js';
import { createRuntime } from './runtime.js';
import { createApp } from './app.js';
import { listen, type RunningServer } from './server.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';
import { createLogger } from './log.js';
import { appMounts } from './mounts.js';
import { rumorsOf } from './rumors/live-base.js';

/** `npm run serve`: the HTTP server only, configured from the environment. */
async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL);
  const rt = await createRuntime(config, { log });
  await rumorsOf(rt).ready; // the fact base in memory before the first message
  log.info(rumorsOf(rt).memory.size, 'fact base loaded');
  const app = createApp(rt, appMounts);
  // Handle SIGTERM before the port opens: a signal that finds no handler kills the process on the
  // spot, and whoever sees the port open may send one at once (a deploy, a test).
  let listening: Promise<RunningServer> | undefined;
  onShutdownSignal(log, async () => {
    const running = await listening?.catch(() => undefined);
    await running?.close(config.SHUTDOWN_TIMEOUT_MS);
    await rt.close();
  });
  listening = listen(app, config.HOST, config.PORT, log);
  await listening;
}

main().catch(exitOnStartupError);
