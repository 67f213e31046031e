/**
 * Building blocks for tests that need a real `Runtime`: a private Redis, a fresh FerretDB
 * database, a small place tree and staff bearer tokens. Nothing of ours is mocked.
 *
 * ```ts
 * let t: TestRuntime;
 * beforeAll(async () => {
 *   t = await createTestRuntime();
 *   await seedPlaces(t.rt.models);
 * });
 * afterAll(() => t?.close());
 * it('…', async () => {
 *   const token = await staffToken(t.rt.models, { role: 'committee', community: 'c1' });
 * });
 * ```
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { loadConfig, type Config } from '../../bot/config.js';
import { createRuntime, type Clock, type Ids, type Runtime } from '../../bot/runtime.js';
import type { Logger } from '../../bot/log.js';
import type { Models } from '../../models/index.js';
import type { Role, Duty } from '../../models/staff-user.js';
import { createStaff } from '../../handlers/staff/accounts.js';
import type { LocalRedis } from '../../scripts/services/redis.js';
import { mongoUri, startRedis } from './services.js';

/** Valid values for every required variable except the service URLs (WeChat's sample AES key length). */
export const TEST_ENV: Readonly<Record<string, string>> = {
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: 'test-app-secret-0123456789',
  WECHAT_TOKEN: 'linlitesttoken',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  LOG_LEVEL: 'silent',
};

export interface TestRuntimeOptions {
  /** Environment overrides on top of `TEST_ENV`, REDIS_URL and MONGODB_URI (e.g. `{ LOG_LEVEL: 'debug' }`). */
  env?: Record<string, string>;
  /** Prefix of the fresh database's name (helps when reading FerretDB's data directory). */
  dbPrefix?: string;
  log?: Logger;
  clock?: Clock;
  ids?: Ids;
}

export interface TestRuntime {
  rt: Runtime;
  /** The test file's own redis-server: `stop()`/`restart()` it to simulate an outage. */
  redis: LocalRedis;
  config: Config;
  /** Close the runtime, then stop Redis. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Start a redis-server for this test file, point a fresh FerretDB database at it and build the
 * real runtime (`createRuntime`), indexes included. Call `close()` in `afterAll`.
 */
export async function createTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const redis = await startRedis();
  let rt: Runtime;
  let config: Config;
  try {
    config = loadConfig({
      ...TEST_ENV,
      REDIS_URL: redis.url,
      MONGODB_URI: mongoUri(opts.dbPrefix),
      STARTUP_TIMEOUT_MS: '30000', // a deadline for a crowded machine; the hooks allow 120 s
      ...opts.env,
    });
    rt = await createRuntime(config, { log: opts.log, clock: opts.clock, ids: opts.ids });
  } catch (err) {
    await redis.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    rt,
    redis,
    config,
    close: () =>
      (closing ??= (async () => {
        await rt.close();
        await redis.stop();
      })()),
  };
}

/**
 * The place tree most tests need:
 * street `s1` ⊃ communities `c1`, `c2`; street `s2` ⊃ community `c3`; buildings `b1`, `b2` in `c1`.
 */
export async function seedPlaces(models: Models): Promise<void> {
  await models.Street.create([
    { code: 's1', name: 'Street 1' },
    { code: 's2', name: 'Street 2' },
  ]);
  await models.Community.create([
    { code: 'c1', name: 'Community 1', streetCode: 's1' },
    { code: 'c2', name: 'Community 2', streetCode: 's1' },
    { code: 'c3', name: 'Community 3', streetCode: 's2' },
  ]);
  await models.Building.create([
    { code: 'b1', name: 'Building 1', communityCode: 'c1', streetCode: 's1' },
    { code: 'b2', name: 'Building 2', communityCode: 'c1', streetCode: 's1' },
  ]);
}

export interface StaffTokenOptions {
  role: Role;
  /** Scope codes, as for `createStaff`: a building needs its community; non-admins need a scope. */
  street?: string;
  community?: string;
  building?: string;
  duties?: Duty[];
  /** Defaults to a unique `<role>-<random>`. */
  name?: string;
}

/** Create a staff account through `createStaff` and return its bearer token (and id). */
export async function staffAccount(models: Models, o: StaffTokenOptions): Promise<{ token: string; id: string }> {
  const { staff, token } = await createStaff(models, {
    name: o.name ?? `${o.role}-${crypto.randomBytes(3).toString('hex')}`,
    role: o.role,
    streetCode: o.street,
    communityCode: o.community,
    buildingCode: o.building,
    duties: o.duties ?? [],
  });
  return { token, id: String(staff._id) };
}

/** A bearer token for a new staff account (see `staffAccount` for its id too). */
export async function staffToken(models: Models, o: StaffTokenOptions): Promise<string> {
  return (await staffAccount(models, o)).token;
}

/**
 * Serve a Koa app in-process on a free port (`app.callback()` on node:http, no `listen()` of
 * ours), for tests that speak HTTP with `fetch`. `close()` drops open keep-alive sockets.
 */
export async function serveApp(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A served app on a fresh runtime with the place tree and a committee account of c1. */
export interface ServedApp {
  t: TestRuntime;
  base: string;
  /** Bearer token of a `committee` account scoped to community c1. */
  token: string;
  close(): Promise<void>;
}

export async function serveTestApp(opts: TestRuntimeOptions = {}): Promise<ServedApp> {
  const { createApp } = await import('../../bot/app.js');
  const t = await createTestRuntime(opts);
  await seedPlaces(t.rt.models);
  const token = await staffToken(t.rt.models, { role: 'committee', community: 'c1' });
  const http = await serveApp(createApp(t.rt));
  return {
    t,
    base: http.url,
    token,
    close: async () => {
      await http.close();
      await t.close();
    },
  };
}

/**
 * Write every resident change still pending in Redis to MongoDB now (the real write-back, run in
 * place of the workers' loop), for tests that read a resident from MongoDB after a push.
 */
export async function writeBackResidents(rt: Runtime): Promise<number> {
  const { drainResidentChanges } = await import('../../bot/residents/write-back.js');
  return drainResidentChanges({ redis: rt.redis, models: rt.models, writeBackMs: rt.config.RESIDENT_WRITE_BACK_MS });
}
