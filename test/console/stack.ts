/**
 * What the browser tests run against: the console built as `npm start` builds it, the real app
 * (webhook, staff API, pages) with its workers on a private Redis and a FerretDB database, the
 * mock WeChat API, the demo community with one account per role, and Debian's Chromium driven
 * by playwright-core (a fresh profile folder per run). Screenshots go to test-output/console/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../bot/app.js';
import { appMounts } from '../../bot/mounts.js';
import { startWorkers, type RunningWorkers } from '../../bot/workers/index.js';
import { seedDemo } from '../../handlers/places/seed-demo.js';
import { ensureConsoleBuilt } from '../../scripts/console/build.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../support/runtime.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The flags this machine needs (no network but loopback: background services would only fail). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SHOTS = path.join(PROJECT_ROOT, 'test-output', 'console');

export interface ConsoleStack {
  t: TestRuntime;
  base: string;
  mock: MockWechatApi;
  /** Demo tokens by account name (`demo-committee`, `demo-government`, …). */
  tokens: Record<string, string>;
  browser: BrowserContext;
  close(): Promise<void>;
}

export async function startConsoleStack(dbPrefix: string): Promise<ConsoleStack> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  await ensureConsoleBuilt();
  const mock = await startMockWechatApi({ port: 0 });
  const t = await createTestRuntime({
    dbPrefix,
    env: {
      WECHAT_API_BASE: mock.url,
      WECOM_API_BASE: mock.url,
      WECHAT_NOTICE_TEMPLATE_ID: 'tmpl-console',
      SIMULATOR_ENABLED: '1',
      PUBLIC_FIGURES_ENABLED: '1',
    },
  });
  const staff = await seedDemo(t.rt.models);
  const tokens = Object.fromEntries(staff.map((s) => [s.name, s.token]));
  const workers: RunningWorkers = startWorkers(t.rt);
  const http = await serveApp(createApp(t.rt, appMounts));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    t,
    base: http.url,
    mock,
    tokens,
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
      await http.close();
      await workers.close(5_000);
      await t.close();
      await mock.close();
    },
  };
}

/** A new tab signed in to the console as `token` (each tab keeps its own session). */
export async function signedIn(stack: ConsoleStack, token: string, hash = ''): Promise<Page> {
  const page = await stack.browser.newPage();
  await page.goto(`${stack.base}/console${hash}`);
  await page.getByLabel('Staff token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
