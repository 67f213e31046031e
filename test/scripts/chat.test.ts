/**
 * The terminal chat (`npm run chat`) as a user runs it: a child process with stdin piped,
 * talking to the real webhook served in-process (Redis, FerretDB, the whole pipeline).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bot/app.js';
import { appMounts } from '../../bot/mounts.js';
import { freePort } from '../../scripts/services/ports.js';
import { parseLine } from '../../scripts/chat/commands.js';
import { parseChatArgs } from '../../scripts/chat/options.js';
import { createTestRuntime, serveApp, writeBackResidents, type TestRuntime } from '../support/runtime.js';
import { WECOM_TEST_ENV } from '../support/wechat-client.js';
import { tsEntry } from '../support/child.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * Each test starts chat processes (six at once for the bad arguments): a few seconds on a quiet
 * machine, far more on a crowded one, so more than the suite's 30 s default.
 */
const CHAT_TIMEOUT_MS = 100_000;

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
/** The server's channel credentials, handed to the chat through the environment (as npm start's). */
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'chat_cli', env: { ...WECOM_TEST_ENV } });
  http = await serveApp(createApp(t.rt, appMounts));
  const c = t.config;
  env = {
    WECHAT_TOKEN: c.WECHAT_TOKEN,
    WECHAT_ENCODING_AES_KEY: c.WECHAT_ENCODING_AES_KEY,
    WECHAT_APP_ID: c.WECHAT_APP_ID,
    ...WECOM_TEST_ENV,
  };
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

function chat(args: string[], input: string, extraEnv: Record<string, string> = env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [command, argv] = tsEntry(path.join(ROOT, 'scripts/chat.ts'), args);
    const child = spawn(command, argv, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHAT_TIMEOUT_MS); // a hung chat must not outlive the test
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('npm run chat', { timeout: CHAT_TIMEOUT_MS + 10_000 }, () => {
  it('plain mode: /subscribe shows the welcome, "English" switches the language, /quit exits 0', async () => {
    const r = await chat(['--openid', 'alice', '--url', http.url], '/subscribe\nEnglish\n/quit\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Chatting as alice');
    expect(r.stdout).toMatch(/alice> \/subscribe\nlinli: 欢迎关注邻里/);
    expect(r.stdout).toMatch(/alice> English\nlinli: Switched to English\./);
    await writeBackResidents(t.rt);
    expect(await t.rt.models.Resident.findOne({ openid: 'alice' }).lean()).toMatchObject({ subscribed: true, language: 'en' });
  });

  it('safe mode: the same conversation, encrypted both ways', async () => {
    const r = await chat(['--openid', 'bob', '--mode', 'safe', '--url', http.url], '/subscribe\nEnglish\n/click SUPPLIES\n/unsubscribe\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('linli: 欢迎关注邻里');
    expect(r.stdout).toContain('linli: Switched to English.');
    expect(r.stdout).toContain('please register your household'); // Supplies needs registration first
    expect(r.stdout).toMatch(/bob> \/unsubscribe\nlinli: \(no reply\)/);
  });

  it('WeCom channel: pushes to /wecom with the corp credentials', async () => {
    const r = await chat(['--openid', 'carol', '--channel', 'wecom', '--url', http.url], '1\n/location 23.1 113.3\n/help\n/bogus\n/quit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/wecom');
    expect(r.stdout).toContain('健康上报');
    expect(r.stdout).toMatch(/\/location 23\.1 113\.3\nlinli: \(no reply\)/);
    expect(r.stdout).toContain('/click KEY');
    expect(r.stdout).toContain('unknown command /bogus');
    expect(await t.rt.models.Resident.findOne({ openid: 'carol' }).lean()).toMatchObject({ channel: 'wecom' });
  });

  it('wrong credentials: the refusal is printed, the chat goes on', async () => {
    const r = await chat(['--openid', 'mallory', '--url', http.url], 'hi\n', { ...env, WECHAT_TOKEN: 'notthetoken' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/refused the push: HTTP 401 bad_signature/);
  });

  it('bad arguments exit 2 with the usage', async () => {
    const cases = [
      [],
      ['--openid', 'x', '--mode', 'loud'],
      ['--openid', 'x', '--channel', 'sms'],
      ['--openid', 'x', '--url', 'nope'],
      ['--openid', 'x', '--what'],
      ['--openid', 'x', 'extra'],
    ];
    const results = await Promise.all(cases.map((args) => chat(args, '')));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: npm run chat');
    });
  });

  it('an unreachable server is a clear message and exit 1', async () => {
    const port = await freePort();
    const r = await chat(['--openid', 'x', '--url', `http://127.0.0.1:${port}`], 'hi\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the Linli server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('chat parsing', () => {
  it('reads lines into actions', () => {
    expect(parseLine('  你好 ')).toEqual({ kind: 'send', action: { type: 'text', content: '  你好 ' } });
    expect(parseLine('/subscribe b7')).toEqual({ kind: 'send', action: { type: 'subscribe', sceneKey: 'b7' } });
    expect(parseLine('/location 91 0')).toMatchObject({ kind: 'error' });
    expect(parseLine('/click')).toMatchObject({ kind: 'error' });
    expect(parseLine('')).toEqual({ kind: 'empty' });
  });

  it('defaults to plain mode on the local server; WeCom forces the wecom wire mode', () => {
    expect(parseChatArgs(['--openid', 'a'])).toEqual({ openid: 'a', mode: 'plain', url: 'http://127.0.0.1:3000', channel: 'oa' });
    expect(parseChatArgs(['--openid', 'a', '--channel', 'wecom', '--url', 'http://h:1/'])).toMatchObject({ mode: 'wecom', url: 'http://h:1' });
  });
});
