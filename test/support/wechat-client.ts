/**
 * A fake WeChat / WeCom platform for webhook tests: signs (and encrypts) pushes with
 * `scripts/chat/wechat-request.ts`, sends them over real HTTP and reads the answer with
 * `scripts/chat/wechat-reply.ts`, so the tests exercise the same wire format as the terminal chat.
 */
import crypto from 'node:crypto';
import type { Config } from '../../bot/config.js';
import {
  buildPush,
  buildUrlVerification,
  queryString,
  webhookPath,
  type ChannelCredentials,
  type PushMeta,
  type ResidentAction,
  type WireMode,
  type WireRequest,
} from '../../scripts/chat/wechat-request.js';
import { readReply, type ReadReply } from '../../scripts/chat/wechat-reply.js';

export const OA_ORIGINAL_ID = 'gh_linlitest0001';

/** The OA credentials of a config (what the platform holds for our account). */
export function oaCredentials(c: Config): ChannelCredentials {
  return { token: c.WECHAT_TOKEN, aesKey: c.WECHAT_ENCODING_AES_KEY, receiveId: c.WECHAT_APP_ID, toUser: OA_ORIGINAL_ID };
}

/** The WeCom credentials of a config. */
export function wecomCredentials(c: Config): ChannelCredentials {
  return {
    token: c.WECOM_TOKEN,
    aesKey: c.WECOM_ENCODING_AES_KEY,
    receiveId: c.WECOM_CORP_ID,
    toUser: c.WECOM_CORP_ID,
    agentId: c.WECOM_AGENT_ID || '1000002',
  };
}

/** Environment that turns WeCom on (demo-like values; tests need no real corp). */
export const WECOM_TEST_ENV: Readonly<Record<string, string>> = {
  WECOM_CORP_ID: 'wwlinlitest000001',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'linli-test-wecom-secret',
  WECOM_TOKEN: 'linlitestwecom',
  WECOM_ENCODING_AES_KEY: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq',
};

let seq = 0;
/** A fresh 64-bit-looking MsgId, unique within and across test files. */
export function newMsgId(): string {
  seq += 1;
  return `${24_000_000_000 + (process.pid % 100_000)}${String(seq).padStart(8, '0')}`;
}

/** A random digit nonce as WeChat sends. */
export const newNonce = (): string => String(crypto.randomInt(100_000_000, 2_000_000_000));

export interface HttpAnswer {
  status: number;
  body: string;
  contentType: string | null;
  /** Milliseconds from sending to the complete body. */
  ms: number;
}

export interface PushAnswer extends HttpAnswer {
  request: WireRequest;
  /** The decoded answer, for 200s. */
  reply?: ReadReply;
}

export interface PushOptions {
  mode?: WireMode;
  openid?: string;
  msgId?: string;
  /** Push CreateTime (seconds); defaults to now. */
  createTime?: number;
  /** Query timestamp (seconds); defaults to now. */
  timestamp?: number;
  nonce?: string;
}

export interface WechatTestClient {
  readonly base: string;
  /** Build the request of a push without sending it (to send it several times). */
  build(action: ResidentAction, o?: PushOptions): WireRequest & { mode: WireMode; meta: PushMeta };
  /** Send a built (or hand-made) request to the mode's webhook. */
  send(mode: WireMode, req: WireRequest, headers?: Record<string, string>): Promise<PushAnswer>;
  /** Build and send one push. */
  push(action: ResidentAction, o?: PushOptions): Promise<PushAnswer>;
  /** GET the webhook with a query (URL verification). */
  get(mode: WireMode, query: Record<string, string>): Promise<HttpAnswer>;
  /** A signed URL-verification query. */
  verificationQuery(mode: WireMode, echo: string, timestamp?: number): Record<string, string>;
  creds(mode: WireMode): ChannelCredentials;
}

/** A client for the app at `base`, with the platform-side credentials of `config`. */
export function wechatClient(base: string, config: Config, defaults: { mode?: WireMode; openid?: string } = {}): WechatTestClient {
  const now = () => Math.floor(Date.now() / 1000);
  const creds = (mode: WireMode) => (mode === 'wecom' ? wecomCredentials(config) : oaCredentials(config));
  const timed = async (url: string, init: RequestInit): Promise<HttpAnswer> => {
    const started = performance.now();
    const res = await fetch(url, init);
    const body = await res.text();
    return { status: res.status, body, contentType: res.headers.get('content-type'), ms: performance.now() - started };
  };
  const client: WechatTestClient = {
    base,
    creds,
    build(action, o = {}) {
      const mode = o.mode ?? defaults.mode ?? 'plain';
      const meta: PushMeta = { fromUser: o.openid ?? defaults.openid ?? 'oTestUser0001', createTime: o.createTime ?? now(), msgId: o.msgId ?? newMsgId() };
      const req = buildPush(mode, creds(mode), action, meta, { timestamp: o.timestamp ?? now(), nonce: o.nonce ?? newNonce() });
      return { ...req, mode, meta };
    },
    async send(mode, req, headers = {}) {
      const answer = await timed(`${base}${webhookPath(mode)}${queryString(req.query)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', ...headers },
        body: req.body,
      });
      const out: PushAnswer = { ...answer, request: req };
      if (answer.status === 200) out.reply = readReply(answer.body, creds(mode), { expectEncrypted: mode === 'safe' || mode === 'wecom' });
      return out;
    },
    push(action, o = {}) {
      const built = client.build(action, o);
      return client.send(built.mode, built);
    },
    get(mode, query) {
      return timed(`${base}${webhookPath(mode)}${queryString(query)}`, { method: 'GET' });
    },
    verificationQuery(mode, echo, timestamp) {
      return buildUrlVerification(mode, creds(mode), echo, { timestamp: timestamp ?? now(), nonce: newNonce() });
    },
  };
  return client;
}

/** The reply XML with `CreateTime` blanked, to compare two answers to one message. */
export const withoutCreateTime = (xml: string): string => xml.replace(/<CreateTime>\d+<\/CreateTime>/, '<CreateTime/>');
