/**
 * Command line and credentials of the terminal chat. Credentials come from the environment when
 * set, else from `scripts/demo-channel.ts` — the same defaults `npm start` serves with.
 */
import { parseArgs } from 'node:util';
import { DEMO_CHANNEL } from '../demo-channel.js';
import type { ChannelCredentials, WireMode } from './wechat-request.js';

export const USAGE = `usage: npm run chat -- --openid ID [--mode plain|compatible|safe] [--url URL] [--channel oa|wecom]

  --openid ID        who you are (an OpenID, or a WeCom UserID); required
  --mode MODE        OA message-encryption mode to speak: plain (default), compatible or safe
  --url URL          the Linli server (default http://127.0.0.1:3000, as npm start)
  --channel CHANNEL  oa (POST /wechat, default) or wecom (POST /wecom, always encrypted)

Credentials: WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY, WECHAT_APP_ID (WECOM_TOKEN,
WECOM_ENCODING_AES_KEY, WECOM_CORP_ID, WECOM_AGENT_ID for --channel wecom) from the
environment, else the npm start demo values.`;

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ChatOptions {
  openid: string;
  mode: WireMode;
  /** Base URL without a trailing slash. */
  url: string;
  channel: 'oa' | 'wecom';
}

const OA_MODES = ['plain', 'compatible', 'safe'] as const;

/** Parse argv (without node and script). @throws UsageError */
export function parseChatArgs(argv: string[]): ChatOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        openid: { type: 'string' },
        mode: { type: 'string', default: 'plain' },
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        channel: { type: 'string', default: 'oa' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError('');
  const openid = String(values.openid ?? '');
  if (!openid) throw new UsageError('--openid is required');
  if (!/^[\w.@-]{1,64}$/.test(openid)) throw new UsageError('--openid must be 1-64 letters, digits or _ . @ -');
  const channel = String(values.channel);
  if (channel !== 'oa' && channel !== 'wecom') throw new UsageError(`--channel must be oa or wecom, not ${JSON.stringify(channel)}`);
  const mode = String(values.mode);
  if (!(OA_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be plain, compatible or safe, not ${JSON.stringify(mode)}`);
  let url: URL;
  try {
    url = new URL(String(values.url));
  } catch {
    throw new UsageError(`--url is not a URL: ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--url must be http(s)');
  return { openid, mode: channel === 'wecom' ? 'wecom' : (mode as WireMode), url: url.href.replace(/\/+$/, ''), channel };
}

/** Our pretend OA original id (`ToUserName` of pushes); the server does not check it. */
export const CHAT_OA_ORIGINAL_ID = 'gh_linlichat0001';

/**
 * The platform-side credentials for `channel`: environment values where set (non-empty), else
 * the demo channel's.
 */
export function chatCredentials(channel: 'oa' | 'wecom', env: Record<string, string | undefined>): ChannelCredentials {
  const get = (name: keyof typeof DEMO_CHANNEL) => (env[name] ? env[name]! : DEMO_CHANNEL[name]);
  if (channel === 'oa')
    return { token: get('WECHAT_TOKEN'), aesKey: get('WECHAT_ENCODING_AES_KEY'), receiveId: get('WECHAT_APP_ID'), toUser: CHAT_OA_ORIGINAL_ID };
  const corp = get('WECOM_CORP_ID');
  return { token: get('WECOM_TOKEN'), aesKey: get('WECOM_ENCODING_AES_KEY'), receiveId: corp, toUser: corp, agentId: get('WECOM_AGENT_ID') };
}
