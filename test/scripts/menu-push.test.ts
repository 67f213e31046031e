import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MENU_FILE, runMenuPush, validateMenu } from '../../scripts/menu-push.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { startRedis } from '../support/services.js';
import { tsEntry } from '../support/child.js';
import { START_MS } from '../support/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = { appId: 'wxmenupush001', appSecret: 'oa-secret' };
let server: Awaited<ReturnType<typeof startRedis>>;
let mock: MockWechatApi;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startRedis();
  mock = await startMockWechatApi(APP);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-menu-'));
  env = {
    REDIS_URL: server.url,
    MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
    WECHAT_APP_ID: APP.appId,
    WECHAT_APP_SECRET: APP.appSecret,
    WECHAT_TOKEN: 'linlitoken',
    WECHAT_ENCODING_AES_KEY: 'a'.repeat(43),
    WECHAT_API_BASE: mock.url,
  };
});
afterAll(async () => {
  await mock.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.clearCalls();
  mock.clearFaults();
});

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runMenuPush({ argv, env, stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}
const writeMenu = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('scripts/menu.json', () => {
  it('is valid and has the seven CLICK keys with their Chinese names', () => {
    type Button = { name: string; key?: string; sub_button?: Button[] };
    const menu = JSON.parse(fs.readFileSync(DEFAULT_MENU_FILE, 'utf8')) as { button: Button[] };
    expect(validateMenu(menu)).toEqual([]);
    const leaves = menu.button.flatMap((b): Button[] => b.sub_button ?? [b]);
    expect(Object.fromEntries(leaves.map((l) => [l.key, l.name]))).toEqual({
      HEALTH_REPORT: '健康上报',
      SUPPLIES: '物资求助',
      VOLUNTEER: '志愿者',
      RUMOR_CHECK: '辟谣查询',
      MY_ACCOUNT: '我的',
      BOOKING: '预约领取',
      RETURNEE: '返回登记',
    });
  });
});

describe('validateMenu', () => {
  it('names each problem by its button path', () => {
    expect(validateMenu({ button: [] })).toEqual(['"button" must have 1 to 3 entries, not 0']);
    expect(
      validateMenu({
        button: [
          { type: 'click', name: '一个太长的菜单名字', key: 'A' },
          {
            name: '互助',
            sub_button: [
              { type: 'click', name: '物资', key: 'A' },
              { type: 'view', name: '链接', url: 'ftp://x' },
              { type: 'bogus', name: 'x' },
            ],
          },
        ],
      }),
    ).toEqual([
      'button[0].name must be 1..16 bytes (4 Chinese characters)',
      'button[1].sub_button[0].key "A" is used twice',
      'button[1].sub_button[1].url must be an http(s) URL of at most 1024 bytes',
      expect.stringMatching(/^button\[1\]\.sub_button\[2\]\.type must be one of click, view/),
    ]);
  });
});

describe('runMenuPush', () => {
  it('pushes the default menu through the API client', async () => {
    const { code, stdout } = await run([]);
    expect(code).toBe(0);
    expect(stdout).toContain('pushed');
    const [create] = mock.calls().filter((c) => c.endpoint === 'menu_create');
    expect(create!.body).toEqual(JSON.parse(fs.readFileSync(DEFAULT_MENU_FILE, 'utf8')));
  });

  it('exits 1 naming the problem for unreadable, malformed or invalid files, without calling WeChat', async () => {
    const missing = await run(['--file', path.join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('ENOENT') });
    const broken = await run(['--file', writeMenu('broken.json', '{"button": [')]);
    expect(broken).toMatchObject({ code: 1, stderr: expect.stringContaining('not valid JSON') });
    const invalid = await run(['--file', writeMenu('invalid.json', '{"button": [{"type": "click", "name": "x"}]}')]);
    expect(invalid).toMatchObject({ code: 1, stderr: expect.stringContaining('button[0].key must be 1..128 bytes') });
    expect(mock.calls()).toEqual([]);
  });

  it('exits 1 with the errcode when WeChat refuses', async () => {
    mock.setFault('menu_create', { errcode: 40016 });
    const { code, stderr } = await run([]);
    expect(code).toBe(1);
    expect(stderr).toContain('errcode 40016');
  });

  it('--dry-run validates without pushing', async () => {
    const { code, stdout } = await run(['--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('not pushed');
    expect(mock.calls()).toEqual([]);
  });

  it('runs as a CLI', { timeout: START_MS + 10_000 }, async () => {
    // Async: the mock answers from this process, so the event loop must keep running.
    const [command, args] = tsEntry(path.join(ROOT, 'scripts/menu-push.ts'));
    const res = await promisify(execFile)(command, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: START_MS });
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain(`pushed ${DEFAULT_MENU_FILE} to ${APP.appId}`);
    expect(mock.calls().filter((c) => c.endpoint === 'menu_create')).toHaveLength(1);
  });
});
