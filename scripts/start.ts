/**
 * `npm start`: the whole platform on embedded defaults. Uses REDIS_URL / MONGODB_URI /
 * WECHAT_API_BASE when set; otherwise provisions a local redis-server and FerretDB (data under
 * var/) and the mock WeChat API, seeds the demo community, runs server + workers in this process,
 * prints where to look, and stops everything on Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '../bot/config.js';
import { createLogger } from '../bot/log.js';
import { createRuntime } from '../bot/runtime.js';
import { createApp } from '../bot/app.js';
import { appMounts } from '../bot/mounts.js';
import { listen, type RunningServer } from '../bot/server.js';
import { startWorkers } from '../bot/workers/index.js';
import { registerSchedules } from '../bot/schedules.js';
import { startResidentWriteBack } from '../bot/residents/write-back.js';
import { exitOnStartupError, onShutdownSignal } from '../bot/lifecycle.js';
import { PROJECT_ROOT } from './services/ferretdb.js';
import { startLocalRedis } from './services/redis.js';
import { startLocalFerretdb } from './services/ferretdb.js';
import { startMockWechatApi } from './mock-wechat-api.js';
import { seedDemo, seedDemoFactChecks, DEMO } from '../handlers/places/seed-demo.js';
import { rumorsOf } from '../bot/rumors/live-base.js';
import { loadStarterFacts } from './data/fact-checks.js';
import { DEMO_CHANNEL } from './demo-channel.js';
import { ensureConsoleBuilt } from './console/build.js';

const VAR = path.join(PROJECT_ROOT, 'var');
const stops: Array<() => Promise<void>> = [];
const say = (line = '') => process.stdout.write(`${line}\n`);

async function main() {
  fs.mkdirSync(VAR, { recursive: true });
  // The demo also switches on the resident simulator and the public figures page.
  const env: Record<string, string | undefined> = { ...DEMO_CHANNEL, SIMULATOR_ENABLED: '1', PUBLIC_FIGURES_ENABLED: '1', ...process.env };
  await ensureConsoleBuilt({ log: say });
  if (!env.REDIS_URL) {
    say('starting redis-server (data in var/redis)…');
    const redis = await startLocalRedis({ dataDir: path.join(VAR, 'redis'), persistent: true });
    stops.unshift(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  if (!env.MONGODB_URI) {
    say('starting FerretDB (data in var/ferretdb)…');
    const ferret = await startLocalFerretdb({ dataDir: path.join(VAR, 'ferretdb') });
    stops.unshift(() => ferret.stop());
    env.MONGODB_URI = ferret.uri('linli');
  }
  let mockUrl: string | undefined;
  if (!process.env.WECHAT_API_BASE) {
    const mock = await startMockWechatApi({
      appId: env.WECHAT_APP_ID,
      appSecret: env.WECHAT_APP_SECRET,
      corpId: env.WECOM_CORP_ID,
      corpSecret: env.WECOM_SECRET,
      maxCalls: 10_000,
    });
    stops.unshift(() => mock.close());
    mockUrl = mock.url;
    env.WECHAT_API_BASE = mock.url;
    env.WECOM_API_BASE ??= mock.url;
  }
  const config = loadConfigOrExit(env);
  const log = createLogger(config.LOG_LEVEL);
  const rt = await createRuntime(config, { log });
  stops.unshift(() => rt.close());
  const staff = await seedDemo(rt.models);
  await seedDemoFactChecks(rt.models, loadStarterFacts());
  await rumorsOf(rt).ready; // the fact base in memory before the first message
  const app = createApp(rt, appMounts);
  let running: RunningServer;
  try {
    running = await listen(app, config.HOST, config.PORT, log);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    say(`port ${config.PORT} is taken; using a free port instead`);
    running = await listen(app, config.HOST, 0, log);
  }
  const workers = startWorkers(rt);
  await registerSchedules(rt);
  const writeBack = startResidentWriteBack({ redis: rt.redis, models: rt.models, log, writeBackMs: config.RESIDENT_WRITE_BACK_MS });
  stops.unshift(async () => void (await Promise.all([workers.close(config.SHUTDOWN_TIMEOUT_MS), writeBack.close()])));
  stops.unshift(() => running.close(config.SHUTDOWN_TIMEOUT_MS));

  const url = running.url;
  say('');
  say('Linli is running. Press Ctrl-C to stop.');
  say(`  console       ${url}/console   (sign in with a staff token below)`);
  if (config.SIMULATOR_ENABLED) say(`  simulator     ${url}/simulator (a resident on a phone, against the real webhook)`);
  if (config.PUBLIC_FIGURES_ENABLED) say(`  figures       ${url}/figures   (public, no sign-in)`);
  say(`  health        ${url}/healthz   readiness ${url}/readyz`);
  say(`  staff API     ${url}/api  (Authorization: Bearer <token>)`);
  say(`  WeChat hook   ${url}/wechat     WeCom hook ${url}/wecom`);
  say(`  queues        ${url}/admin/queues?token=<admin token>  (Bull Board, admin only)`);
  if (mockUrl) say(`  mock WeChat   ${mockUrl}/__calls  (every API call the platform made)`);
  say(`  Redis         ${config.REDIS_URL}`);
  say(`  MongoDB       ${config.MONGODB_URI}`);
  say(`  chat          npm run chat -- --openid alice --url ${url}`);
  say('');
  say(`fact base     ${rumorsOf(rt).memory.size.factChecks} released fact-checks (try: npm run chat, then 4)`);
  say('');
  say(`demo community "${DEMO.community.code}" with buildings ${DEMO.buildings.map((b) => b.code).join(', ')}; staff tokens (new on every start):`);
  for (const s of staff)
    say(`  ${s.role.padEnd(15)} ${s.name.padEnd(20)} ${s.duties.length ? `[${s.duties.join(',')}]`.padEnd(10) : ''.padEnd(10)} ${s.token}`);
  say('');
  say(`try:  curl -H "Authorization: Bearer ${staff.find((s) => s.role === 'committee')!.token}" ${url}/api/communities/demo`);
}

onShutdownSignal(createLogger('info'), async () => {
  for (const stop of stops) await stop().catch(() => {});
});

main().catch(async (err) => {
  for (const stop of stops) await stop().catch(() => {});
  exitOnStartupError(err);
});
