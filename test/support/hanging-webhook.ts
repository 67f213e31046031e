/**
 * A webhook server process whose flow step never finishes for residents whose openid starts
 * with `oHang`: the real pipeline (deadline, dedup, session, flow step), only the `onHandled`
 * hook hangs. Tests SIGKILL it after it answered `success` at the deadline — a server that died
 * mid-run — and watch the rescue job answer the resident. Prints `listening <url>` when ready.
 */
import type Koa from 'koa';
import { loadConfigOrExit } from '../../bot/config.js';
import { createLogger } from '../../bot/log.js';
import { createRuntime } from '../../bot/runtime.js';
import { createApp } from '../../bot/app.js';
import { webhookRouter } from '../../bot/pipeline/index.js';

const config = loadConfigOrExit();
const rt = await createRuntime(config, { log: createLogger(config.LOG_LEVEL) });
const app = createApp(rt, [
  (koa, rt) => {
    const router = webhookRouter(rt, { onHandled: (inbound) => (inbound.fromUser.startsWith('oHang') ? new Promise<void>(() => {}) : undefined) });
    koa.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
  },
]);
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`listening http://127.0.0.1:${address.port}`);
});
