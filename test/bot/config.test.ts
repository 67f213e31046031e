import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, VARIABLES, type Config } from '../../bot/config.js';
import { PROJECT_ROOT } from '../../scripts/services/ferretdb.js';
import { TEST_ENV } from '../support/runtime.js';
import { tsEntry } from '../support/child.js';
import { START_MS } from '../support/wait-for.js';

type Name = keyof typeof VARIABLES;
const NAMES = Object.keys(VARIABLES) as Name[];

/** A complete, valid environment (no service needs to run: loadConfig only parses). */
const VALID: Record<string, string> = {
  ...TEST_ENV,
  REDIS_URL: 'redis://127.0.0.1:6379',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/linli',
};

/** The problems `loadConfig(env)` reports (fails the test if it does not throw a ConfigError). */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The one problem that names `name`, asserting it says what the variable expects. */
function problemFor(problems: string[], name: Name): string {
  const mine = problems.filter((p) => p.startsWith(`${name}=`) || p.startsWith(`${name} `));
  expect(mine, `problems: ${problems.join(' | ')}`).toHaveLength(1);
  expect(mine[0]).toContain(`expected ${VARIABLES[name].expects}`);
  return mine[0]!;
}

/**
 * For every variable: malformed samples with the reason each must report, or `null` for free
 * text that cannot be malformed. Adding a variable to VARIABLES without a row here fails below.
 */
const MALFORMED: Partial<Record<Name, Array<[value: string, reason: RegExp]> | null>> = {
  HOST: null,
  PORT: [
    ['abc', /not an integer/],
    ['80.5', /not an integer/],
    ['70000', /out of range 0\.\.65535/],
    ['-1', /out of range/],
  ],
  PUBLIC_URL: null,
  LOG_LEVEL: [['verbose', /not one of fatal, error/]],
  REDIS_URL: [
    ['http://127.0.0.1:6379', /protocol must be redis: or rediss:/],
    ['localhost:6379', /protocol must be/], // parses as a URL with protocol "localhost:"
    ['not a url', /not a URL/],
  ],
  MONGODB_URI: [
    ['redis://127.0.0.1:27017/linli', /protocol must be mongodb: or mongodb\+srv:/],
    ['//127.0.0.1/linli', /not a URL/],
  ],
  STARTUP_TIMEOUT_MS: [
    ['30s', /not an integer/],
    ['-5', /out of range/],
  ],
  SHUTDOWN_TIMEOUT_MS: [['1e4', /not an integer/]],
  WECHAT_APP_ID: [['wx-0123!', /does not match/]],
  WECHAT_APP_SECRET: [['has space', /does not match/]],
  WECHAT_TOKEN: [
    ['ab', /does not match/],
    ['tok-en', /does not match/],
  ],
  WECHAT_ENCODING_AES_KEY: [
    ['a'.repeat(42), /does not match/],
    ['a'.repeat(44), /does not match/],
    [`${'a'.repeat(42)}=`, /does not match/],
  ],
  WECHAT_MESSAGE_MODE: [['encrypted', /not one of plain, compatible, safe/]],
  WECHAT_API_BASE: [['ftp://api.weixin.qq.com', /protocol must be http: or https:/]],
  WECHAT_TOKEN_ENDPOINT: [['fast', /not one of stable, classic/]],
  WECHAT_TIMESTAMP_TOLERANCE_S: [['five', /not an integer/]],
  WECHAT_REPLY_DEADLINE_MS: [
    ['5000', /out of range 1\.\.4900/],
    ['0', /out of range/],
  ],
  WECHAT_NOTICE_TEMPLATE_ID: null,
  WECHAT_NOTICE_TEMPLATE_FIELDS: [
    ['first', /"first" is not field=source/],
    ['first=author', /"author" is not one of title, body, time/],
    ['thing1=title:1', /maxChars of thing1 must be at least 2/],
    ['first=title,first=body', /first appears twice/],
    [',', /no fields/],
    ['1st=title', /is not field=source/],
  ],
  WECOM_CORP_ID: null,
  WECOM_AGENT_ID: [['agent7', /does not match/]],
  WECOM_SECRET: null,
  WECOM_TOKEN: [['t'.repeat(33), /does not match/]],
  WECOM_ENCODING_AES_KEY: [['k'.repeat(42), /does not match/]],
  WECOM_API_BASE: [['qyapi.weixin.qq.com', /not a URL/]],
  HEALTH_REMINDER_AT: [
    ['8pm', /does not match/],
    ['24:00', /does not match/],
  ],
  BROADCAST_RATE_PER_S: [
    ['fast', /not a number ≥ 0/],
    ['-1', /not a number ≥ 0/],
  ],
  BROADCAST_BATCH_SIZE: [
    ['0', /out of range 1\.\.500/],
    ['501', /out of range/],
  ],
  WORKER_CONCURRENCY: [
    ['0', /out of range 1\.\.1000/],
    ['1001', /out of range/],
    ['ten', /not an integer/],
  ],
  RESIDENT_WRITE_BACK_MS: [
    ['-1', /out of range 0\.\.60000/],
    ['60001', /out of range/],
    ['1s', /not an integer/],
  ],
  VOLUNTEER_REMINDER_LEAD_MIN: [
    ['0', /out of range 1\.\.10080/],
    ['two hours', /not an integer/],
  ],
  SIMULATOR_ENABLED: [['yes', /not 0, 1, true or false/]],
  PUBLIC_FIGURES_ENABLED: [['on', /not 0, 1, true or false/]],
};

/** Defaults pinned by hand; every other default is checked to parse (see below). */
const DEFAULTS: Partial<Config> = {
  HOST: '127.0.0.1',
  PORT: 3000,
  PUBLIC_URL: '',
  STARTUP_TIMEOUT_MS: 30_000,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  WECHAT_API_BASE: 'https://api.weixin.qq.com',
  WECHAT_TOKEN_ENDPOINT: 'stable',
  WECHAT_TIMESTAMP_TOLERANCE_S: 300,
  WECHAT_REPLY_DEADLINE_MS: 4000,
  WECHAT_NOTICE_TEMPLATE_ID: '',
  WECHAT_NOTICE_TEMPLATE_FIELDS: [
    { field: 'first', source: 'title' },
    { field: 'keyword1', source: 'title' },
    { field: 'keyword2', source: 'time' },
    { field: 'remark', source: 'body', maxChars: 180 },
  ],
  WECOM_CORP_ID: '',
  WECOM_AGENT_ID: '',
  WECOM_SECRET: '',
  WECOM_TOKEN: '',
  WECOM_ENCODING_AES_KEY: '',
  WECOM_API_BASE: 'https://qyapi.weixin.qq.com',
  HEALTH_REMINDER_AT: '20:00',
  BROADCAST_RATE_PER_S: 0,
  BROADCAST_BATCH_SIZE: 100,
  WORKER_CONCURRENCY: 20,
  RESIDENT_WRITE_BACK_MS: 1000,
  VOLUNTEER_REMINDER_LEAD_MIN: 120,
  SIMULATOR_ENABLED: false,
  PUBLIC_FIGURES_ENABLED: false,
};

const required = NAMES.filter((n) => (VARIABLES[n] as { default?: string }).default === undefined);

describe('loadConfig', () => {
  it('accepts a complete environment', () => {
    const config = loadConfig(VALID);
    expect(config.WECHAT_APP_ID).toBe('wx0123456789abcdef');
    expect(config.LOG_LEVEL).toBe('silent');
    expect(Object.keys(config).sort()).toEqual([...NAMES].sort());
  });

  it('requires exactly REDIS_URL, MONGODB_URI and the four WeChat credentials', () => {
    expect([...required].sort()).toEqual(['MONGODB_URI', 'REDIS_URL', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_ENCODING_AES_KEY', 'WECHAT_TOKEN']);
  });

  it.each(required)('reports %s missing (unset or empty) by name', (name) => {
    for (const value of [undefined, '']) {
      const problem = problemFor(problemsOf({ ...VALID, [name]: value }), name);
      expect(problem).toMatch(new RegExp(`^${name} is required`));
    }
  });

  it('has a malformed-value row for every variable', () => {
    expect(Object.keys(MALFORMED).sort()).toEqual([...NAMES].sort());
  });

  const cases = NAMES.flatMap((name) => (MALFORMED[name] ?? []).map(([value, reason]) => ({ name, value, reason })));
  it.each(cases)('rejects $name=$value naming the variable, the reason and what it expects', ({ name, value, reason }) => {
    const problems = problemsOf({ ...VALID, [name]: value });
    const problem = problemFor(problems, name);
    // Secrets and URLs (which may carry a password) are never echoed; other values are.
    const secret = /SECRET|_TOKEN$|AES_KEY|_URL$|_URI$/.test(name);
    expect(problem).toContain(secret ? `${name}=(hidden, ${value.length} characters) is invalid` : `${name}=${JSON.stringify(value)} is invalid`);
    if (secret && value.length > 3) expect(problem).not.toContain(value);
    expect(problem).toMatch(reason);
    expect(problems).toHaveLength(1);
  });

  it('reports every problem at once, in one error message', () => {
    const err = (() => {
      try {
        loadConfig({ ...VALID, REDIS_URL: undefined, PORT: 'abc', LOG_LEVEL: 'loud', WECHAT_ENCODING_AES_KEY: 'short' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toHaveLength(4);
    for (const name of ['REDIS_URL', 'PORT', 'LOG_LEVEL', 'WECHAT_ENCODING_AES_KEY'] as const) {
      problemFor(err.problems, name);
      expect(err.message).toContain(name);
    }
  });

  it('applies defaults for unset and empty optional variables', () => {
    const optional = NAMES.filter((n) => !required.includes(n));
    const expected = Object.fromEntries(optional.map((n) => [n, VARIABLES[n].parse((VARIABLES[n] as { default: string }).default)]));
    expect(expected).toMatchObject({ ...DEFAULTS, LOG_LEVEL: 'info' });
    const unset = loadConfig(Object.fromEntries(required.map((n) => [n, VALID[n]])));
    expect(unset).toEqual({ ...expected, ...Object.fromEntries(required.map((n) => [n, VALID[n]])) });
    const empty = loadConfig({ ...VALID, ...Object.fromEntries(optional.map((n) => [n, ''])) });
    expect(empty).toEqual(unset);
  });

  it('parses numbers and normalises URLs', () => {
    const config = loadConfig({
      ...VALID,
      PORT: '0',
      REDIS_URL: 'rediss://cache.example:6380/',
      MONGODB_URI: 'mongodb+srv://db.example/linli',
      WECHAT_API_BASE: 'http://127.0.0.1:9000//',
      BROADCAST_RATE_PER_S: '12.5',
      WECHAT_TOKEN_ENDPOINT: 'classic',
    });
    expect(config).toMatchObject({
      PORT: 0,
      REDIS_URL: 'rediss://cache.example:6380',
      MONGODB_URI: 'mongodb+srv://db.example/linli',
      WECHAT_API_BASE: 'http://127.0.0.1:9000',
      BROADCAST_RATE_PER_S: 12.5,
      WECHAT_TOKEN_ENDPOINT: 'classic',
    });
  });

  describe('WeCom is all or nothing', () => {
    const WECOM = { WECOM_CORP_ID: 'ww0123456789', WECOM_TOKEN: 'wecomtoken', WECOM_ENCODING_AES_KEY: 'k'.repeat(43) };
    const rule = /WECOM_CORP_ID, WECOM_TOKEN and WECOM_ENCODING_AES_KEY must be set together/;

    it('accepts none or all three', () => {
      expect(loadConfig(VALID).WECOM_CORP_ID).toBe('');
      expect(loadConfig({ ...VALID, ...WECOM, WECOM_AGENT_ID: '1000002' })).toMatchObject({ ...WECOM, WECOM_AGENT_ID: '1000002' });
    });

    it.each(Object.keys(WECOM))('rejects a partial set missing %s', (missing) => {
      const problems = problemsOf({ ...VALID, ...WECOM, [missing]: '' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(rule);
    });

    it.each(Object.entries(WECOM))('rejects %s alone', (name, value) => {
      expect(problemsOf({ ...VALID, [name]: value })).toEqual([expect.stringMatching(rule)]);
    });
  });
});

describe('README.md', () => {
  const readme = path.join(PROJECT_ROOT, 'README.md');
  it.skipIf(!fs.existsSync(readme))('names every variable in its configuration table', () => {
    const text = fs.readFileSync(readme, 'utf8');
    expect(NAMES.filter((n) => !new RegExp(`\\b${n}\\b`).test(text))).toEqual([]);
  });
});

describe('bot/serve.ts with a bad environment', () => {
  it('exits non-zero before connecting, naming each bad variable on stderr', { timeout: START_MS + 10_000 }, async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...VALID, PORT: 'abc' };
    delete env.REDIS_URL;
    const [command, args] = tsEntry('bot/serve.ts');
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain('PORT="abc" is invalid (not an integer)');
    expect(stderr).toContain('REDIS_URL is required');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });
});
