/**
 * The one place that reads the environment. Every variable is declared once in `VARIABLES`
 * (name, default, what it expects, parser); `loadConfig` validates all of them and throws a
 * `ConfigError` listing every bad one, so a process fails fast with a message that names the
 * variable instead of failing later on first use. The README's configuration table mirrors
 * this list (a test checks that every name appears there).
 */

import { DEFAULT_TEMPLATE_FIELDS, parseTemplateFields } from '../handlers/broadcast/message.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Parser<T> = (raw: string) => T;

interface Variable<T> {
  /** Value used when the variable is unset or empty; `undefined` means required. */
  default?: string;
  /** What the variable expects, shown in error messages. */
  expects: string;
  parse: Parser<T>;
}

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error('not an integer');
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`out of range ${min}..${max}`);
    return n;
  };
const num =
  (min: number): Parser<number> =>
  (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min) throw new Error(`not a number ≥ ${min}`);
    return n;
  };
const url =
  (protocols: string[]): Parser<string> =>
  (raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error('not a URL');
    }
    if (!protocols.includes(u.protocol)) throw new Error(`protocol must be ${protocols.join(' or ')}`);
    return raw.replace(/\/+$/, '');
  };
const pattern =
  (re: RegExp): Parser<string> =>
  (raw) => {
    if (!re.test(raw)) throw new Error(`does not match ${re}`);
    return raw;
  };
const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw) => {
    if (!values.includes(raw as T)) throw new Error(`not one of ${values.join(', ')}`);
    return raw as T;
  };
const text: Parser<string> = (raw) => raw;
const flag: Parser<boolean> = (raw) => {
  if (!/^(0|1|true|false)$/.test(raw)) throw new Error('not 0, 1, true or false');
  return raw === '1' || raw === 'true';
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every environment variable Linli reads. */
export const VARIABLES = {
  HOST: { default: '127.0.0.1', expects: 'an interface address to listen on', parse: text },
  PORT: { default: '3000', expects: 'a TCP port 0..65535 (0 = any free port)', parse: int(0, 65535) },
  PUBLIC_URL: { default: '', expects: 'the base URL residents and WeChat reach this server at (printed only)', parse: text },
  LOG_LEVEL: { default: 'info', expects: `one of ${LOG_LEVELS.join(', ')}`, parse: oneOf(LOG_LEVELS) },
  REDIS_URL: { expects: 'a redis:// or rediss:// URL', parse: url(['redis:', 'rediss:']) },
  MONGODB_URI: { expects: 'a mongodb:// or mongodb+srv:// URI including the database name', parse: url(['mongodb:', 'mongodb+srv:']) },
  STARTUP_TIMEOUT_MS: { default: '30000', expects: 'milliseconds to keep retrying Redis/MongoDB at startup', parse: int(0) },
  SHUTDOWN_TIMEOUT_MS: { default: '10000', expects: 'milliseconds to finish in-flight requests and jobs on SIGTERM', parse: int(0) },
  WECHAT_APP_ID: { expects: 'the Official Account AppID (wx…)', parse: pattern(/^\w{4,64}$/) },
  WECHAT_APP_SECRET: { expects: 'the Official Account AppSecret', parse: pattern(/^\S{4,128}$/) },
  WECHAT_TOKEN: { expects: 'the server-configuration Token (3–32 letters or digits)', parse: pattern(/^[A-Za-z0-9]{3,32}$/) },
  WECHAT_ENCODING_AES_KEY: { expects: 'the 43-character EncodingAESKey', parse: pattern(/^[A-Za-z0-9]{43}$/) },
  WECHAT_MESSAGE_MODE: {
    default: 'plain',
    expects: "plain, compatible or safe: the account's message-encryption mode (compatible/safe refuse plaintext pushes)",
    parse: oneOf(['plain', 'compatible', 'safe'] as const),
  },
  WECHAT_API_BASE: { default: 'https://api.weixin.qq.com', expects: 'an http(s) URL of the WeChat API (the mock in tests)', parse: url(['http:', 'https:']) },
  WECHAT_TOKEN_ENDPOINT: {
    default: 'stable',
    expects: 'stable (cgi-bin/stable_token) or classic (cgi-bin/token)',
    parse: oneOf(['stable', 'classic'] as const),
  },
  WECHAT_TIMESTAMP_TOLERANCE_S: { default: '300', expects: 'seconds a request timestamp may differ from now (0 = off)', parse: int(0) },
  WECHAT_REPLY_DEADLINE_MS: { default: '4000', expects: 'milliseconds before the webhook answers `success` and replies later', parse: int(1, 4900) },
  WECHAT_NOTICE_TEMPLATE_ID: { default: '', expects: 'the template id used for notices outside the 48-hour window', parse: text },
  WECHAT_NOTICE_TEMPLATE_FIELDS: {
    default: DEFAULT_TEMPLATE_FIELDS,
    expects: 'field=source[:maxChars],… with source title, body or time: how a notice fills the template',
    parse: parseTemplateFields,
  },
  WECOM_CORP_ID: { default: '', expects: 'the WeCom CorpID (ww…); empty disables /wecom', parse: text },
  WECOM_AGENT_ID: { default: '', expects: 'the WeCom application AgentID', parse: pattern(/^\d*$/) },
  WECOM_SECRET: { default: '', expects: 'the WeCom application secret', parse: text },
  WECOM_TOKEN: { default: '', expects: 'the WeCom callback Token', parse: pattern(/^[A-Za-z0-9]{0,32}$/) },
  WECOM_ENCODING_AES_KEY: { default: '', expects: 'the 43-character WeCom EncodingAESKey', parse: pattern(/^([A-Za-z0-9]{43})?$/) },
  WECOM_API_BASE: { default: 'https://qyapi.weixin.qq.com', expects: 'an http(s) URL of the WeCom API', parse: url(['http:', 'https:']) },
  HEALTH_REMINDER_AT: {
    default: '20:00',
    expects: 'HH:mm local time (each community time zone) of the daily reminder to residents who have not reported, or off',
    parse: pattern(/^(([01]\d|2[0-3]):[0-5]\d|off)$/),
  },
  BROADCAST_RATE_PER_S: { default: '0', expects: 'WeChat sends per second across all workers (0 = no limit)', parse: num(0) },
  BROADCAST_BATCH_SIZE: { default: '100', expects: 'recipients per deliver job (1–500)', parse: int(1, 500) },
  WORKER_CONCURRENCY: { default: '20', expects: 'sends (and other jobs) one worker process has in flight at once', parse: int(1, 1000) },
  RESIDENT_WRITE_BACK_MS: {
    default: '1000',
    expects: 'milliseconds a resident change waits in Redis, gathering later ones, before the workers write it to MongoDB',
    parse: int(0, 60_000),
  },
  VOLUNTEER_REMINDER_LEAD_MIN: {
    default: '120',
    expects: 'minutes before a volunteer task starts that its volunteers are reminded (1..10080)',
    parse: int(1, 10080),
  },
  SIMULATOR_ENABLED: {
    default: '0',
    expects: '1 to serve the resident simulator at /simulator (it signs pushes to /wechat; demo and tests only), 0 to answer 404',
    parse: flag,
  },
  PUBLIC_FIGURES_ENABLED: {
    default: '0',
    expects: '1 to serve the public figures page at /figures without sign-in (counts only, no personal data), 0 to answer 404',
    parse: flag,
  },
} satisfies Record<string, Variable<unknown>>;

/** Values never echoed in error messages: secrets, and URLs that may carry a password. */
const SECRET_LIKE = /SECRET|_TOKEN$|AES_KEY|_URL$|_URI$/;

type Vars = typeof VARIABLES;
export type Config = { [K in keyof Vars]: ReturnType<Vars[K]['parse']> };

/**
 * Validate and parse the environment. Collects every problem before throwing so an operator
 * fixes them in one go.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
    const given = env[name];
    const raw = given === undefined || given === '' ? v.default : given;
    if (raw === undefined) {
      problems.push(`${name} is required: expected ${v.expects}`);
      continue;
    }
    try {
      out[name] = v.parse(raw);
    } catch (err) {
      const shown = SECRET_LIKE.test(name) ? `(hidden, ${given?.length ?? 0} characters)` : JSON.stringify(given);
      problems.push(`${name}=${shown} is invalid (${(err as Error).message}): expected ${v.expects}`);
    }
  }
  const wecom = ['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'].filter((n) => out[n]);
  if (wecom.length > 0 && wecom.length < 3) {
    problems.push('WECOM_CORP_ID, WECOM_TOKEN and WECOM_ENCODING_AES_KEY must be set together (or all left empty)');
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** Load the config or exit with code 2 and a message naming each bad variable. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`linli: ${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }
}
