/**
 * `npm run menu:push [-- --file path] [--dry-run]`: validate the custom menu (default
 * scripts/menu.json) and push it with `POST /cgi-bin/menu/create`. The CLICK keys are what the
 * inbound dispatcher routes on (HEALTH_REPORT, SUPPLIES, VOLUNTEER, RUMOR_CHECK, MY_ACCOUNT, RETURNEE, BOOKING).
 *
 * Exit codes: 0 pushed (or valid, with --dry-run); 1 bad menu file or API error (the errcode is
 * printed); 2 bad configuration (from loadConfigOrExit).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfigOrExit } from '../bot/config.js';
import { createWechatApi, type Menu } from '../bot/wechat/api-client.js';
import { ERROR_CATALOGUE, WechatApiError } from '../bot/wechat/api-errors.js';
import { isMain } from './is-main.js';

export const DEFAULT_MENU_FILE = fileURLToPath(new URL('./menu.json', import.meta.url));

const LEAF_TYPES = new Set([
  'click',
  'view',
  'miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);
const bytes = (s: unknown): number => (typeof s === 'string' ? Buffer.byteLength(s) : 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with one clickable button (at `at`), per the limits menu/create enforces. */
function leafProblems(b: Record<string, unknown>, at: string, keys: Set<string>): string[] {
  if (typeof b.type !== 'string' || !LEAF_TYPES.has(b.type)) return [`${at}.type must be one of ${[...LEAF_TYPES].join(', ')}`];
  const out: string[] = [];
  if (b.type === 'view' || b.type === 'miniprogram') {
    if (!/^https?:\/\//.test(String(b.url ?? '')) || bytes(b.url) > 1024) out.push(`${at}.url must be an http(s) URL of at most 1024 bytes`);
    if (b.type === 'miniprogram' && (!b.appid || !b.pagepath)) out.push(`${at} (miniprogram) needs appid and pagepath`);
    return out;
  }
  if (bytes(b.key) < 1 || bytes(b.key) > 128) out.push(`${at}.key must be 1..128 bytes`);
  else if (keys.has(b.key as string)) out.push(`${at}.key ${JSON.stringify(b.key)} is used twice`);
  else keys.add(b.key as string);
  return out;
}

/**
 * Every problem with a menu, each naming the button path (empty = valid). Limits: 1–3 buttons,
 * names ≤16 bytes; 1–5 sub-buttons, names ≤60 bytes; keys 1–128 bytes, unique.
 */
export function validateMenu(menu: unknown): string[] {
  if (!isObject(menu) || !Array.isArray(menu.button)) return ['the menu must be an object with a "button" array'];
  if (menu.button.length < 1 || menu.button.length > 3) return [`"button" must have 1 to 3 entries, not ${menu.button.length}`];
  const keys = new Set<string>();
  return menu.button.flatMap((b: unknown, i): string[] => {
    const at = `button[${i}]`;
    if (!isObject(b)) return [`${at} must be an object`];
    const out = bytes(b.name) < 1 || bytes(b.name) > 16 ? [`${at}.name must be 1..16 bytes (4 Chinese characters)`] : [];
    if (!('sub_button' in b)) return [...out, ...leafProblems(b, at, keys)];
    const subs = b.sub_button;
    if (!Array.isArray(subs) || subs.length < 1 || subs.length > 5) return [...out, `${at}.sub_button must have 1 to 5 entries`];
    return subs.reduce<string[]>((acc, s: unknown, j) => {
      const sat = `${at}.sub_button[${j}]`;
      if (!isObject(s)) return [...acc, `${sat} must be an object`];
      const name = bytes(s.name) < 1 || bytes(s.name) > 60 ? [`${sat}.name must be 1..60 bytes`] : [];
      return [...acc, ...name, ...leafProblems(s, sat, keys)];
    }, out);
  });
}

/** Thrown for a menu file that cannot be read, parsed or validated. */
export class MenuFileError extends Error {
  override name = 'MenuFileError';
}

/** Read, parse and validate a menu file. */
export async function loadMenu(file: string): Promise<Menu> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MenuFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let menu: unknown;
  try {
    menu = JSON.parse(text);
  } catch (err) {
    throw new MenuFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const problems = validateMenu(menu);
  if (problems.length > 0) throw new MenuFileError(`${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return menu as Menu;
}

export interface MenuPushIo {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** The CLI without process.exit, so tests can run it in-process. Returns the exit code. */
export async function runMenuPush(io: MenuPushIo): Promise<number> {
  const { values } = parseArgs({
    args: io.argv,
    options: { file: { type: 'string', default: DEFAULT_MENU_FILE }, 'dry-run': { type: 'boolean', default: false } },
  });
  let menu: Menu;
  try {
    menu = await loadMenu(values.file);
  } catch (err) {
    if (!(err instanceof MenuFileError)) throw err;
    io.stderr(`menu:push: bad menu file ${err.message}\n`);
    return 1;
  }
  if (values['dry-run']) {
    io.stdout(`menu:push: ${values.file} is valid (${menu.button.length} buttons); not pushed (--dry-run)\n`);
    return 0;
  }
  const config = loadConfigOrExit(io.env);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    const wechat = createWechatApi({
      base: config.WECHAT_API_BASE,
      appId: config.WECHAT_APP_ID,
      appSecret: config.WECHAT_APP_SECRET,
      redis,
      tokenEndpoint: config.WECHAT_TOKEN_ENDPOINT,
    });
    await wechat.createMenu(menu);
    io.stdout(`menu:push: pushed ${values.file} to ${config.WECHAT_APP_ID}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof WechatApiError)) throw err;
    const meaning = ERROR_CATALOGUE[err.code]?.meaning;
    io.stderr(`menu:push: WeChat refused the menu: errcode ${err.code}${meaning ? ` (${meaning})` : ''} — ${err.message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

if (isMain(import.meta.url)) {
  const io: MenuPushIo = { argv: process.argv.slice(2), env: process.env, stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  runMenuPush(io).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`menu:push: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
