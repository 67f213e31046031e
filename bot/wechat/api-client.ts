/**
 * Official Account API client: customer-service and template sends, menu, QR codes, user info.
 * Every call goes through one JSON helper with a timeout and one errcode catalogue
 * (`api-errors.ts`), and through `withToken`, which applies the §10 rule: on 40001/40014/42001
 * renew the shared token once and retry the call once, then fail.
 *
 * The client never retries anything else itself (a send that timed out may have been delivered);
 * the caller decides from `WechatApiError.retryable`.
 */
import type { Redis } from 'ioredis';
import { LOCAL_CODES, WechatApiError, isTokenError } from './api-errors.js';
import { createTokenCache, officialAccountTokenKey, type FetchedToken, type TokenCache, type TokenCacheOptions } from './token-cache.js';
import { fetchTransport, undiciTransport, type FetchFn, type HttpRequest, type Transport } from './http.js';

export type { FetchFn } from './http.js';

/** Transport settings shared by the WeChat and WeCom clients. */
export interface Http {
  send: Transport;
  timeoutMs: number;
}

/** The transport for a client: the given `fetch` (tests), else undici over the process's keep-alive pool. */
export function httpFor(opts: { fetch?: FetchFn; timeoutMs?: number }): Http {
  return { send: opts.fetch ? fetchTransport(opts.fetch) : undiciTransport(), timeoutMs: opts.timeoutMs ?? 5_000 };
}

/** A successful WeChat answer: `errcode` absent or 0. */
export type WechatOk<T> = T & { errcode?: 0; errmsg?: string };

const isAbort = (err: unknown): boolean => err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');

/**
 * One HTTP round trip. `endpoint` names the API in errors and logs; the URL (which carries the
 * access_token) never appears in an error.
 */
export async function requestJson<T>(http: Http, endpoint: string, url: string, body?: unknown): Promise<WechatOk<T>> {
  let text: string;
  let status: number;
  try {
    const init: HttpRequest = { method: body === undefined ? 'GET' : 'POST', timeoutMs: http.timeoutMs };
    if (body !== undefined) {
      init.headers = { 'content-type': 'application/json; charset=utf-8' };
      init.body = JSON.stringify(body);
    }
    ({ status, text } = await http.send(url, init));
  } catch (err) {
    if (isAbort(err)) throw WechatApiError.timeout(endpoint, http.timeoutMs, err);
    throw WechatApiError.network(endpoint, `request failed: ${(err as Error).message}`, err);
  }
  if (status < 200 || status > 299) throw WechatApiError.network(endpoint, `HTTP ${status}`);
  let json: { errcode?: unknown; errmsg?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (err) {
    throw WechatApiError.network(endpoint, 'answer is not JSON', err, LOCAL_CODES.badResponse);
  }
  if (typeof json.errcode === 'number' && json.errcode !== 0) {
    throw WechatApiError.fromErrcode(endpoint, json.errcode, typeof json.errmsg === 'string' ? json.errmsg : '');
  }
  return json as WechatOk<T>;
}

/**
 * Call `fn` with the shared token; on a token error renew it once and retry once (§10, §12).
 * Errors from fetching the token itself are not retried here.
 */
export async function withToken<T>(tokens: TokenCache, fn: (token: string) => Promise<T>): Promise<T> {
  const token = await tokens.get();
  try {
    return await fn(token);
  } catch (err) {
    if (!isTokenError(err)) throw err;
    return fn(await tokens.renew(token));
  }
}

/**
 * A token endpoint refusing our credentials is a configuration problem: not retryable, even for
 * 40001, which on an API call would mean "renew the token" (§12).
 */
export function credentialsRefused(err: unknown): unknown {
  if (!(err instanceof WechatApiError) || err.kind !== 'token') return err;
  return new WechatApiError({
    code: err.code,
    kind: 'token',
    retryable: false,
    endpoint: err.endpoint,
    message: `${err.message} (credentials refused)`,
    cause: err,
  });
}

/** `stable_token` (default) or the classic `/cgi-bin/token` (§10). */
export type TokenEndpoint = 'stable' | 'classic';

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

/** Fetch an Official Account token from the configured endpoint. */
export async function fetchOfficialAccountToken(
  http: Http,
  c: { base: string; appId: string; appSecret: string; endpoint: TokenEndpoint },
  force: boolean,
): Promise<FetchedToken> {
  let answer: TokenAnswer;
  try {
    if (c.endpoint === 'classic') {
      // Classic tokens: every fetch invalidates the previous one, so `force` changes nothing (§10).
      const q = new URLSearchParams({ grant_type: 'client_credential', appid: c.appId, secret: c.appSecret });
      answer = await requestJson<TokenAnswer>(http, 'token', `${c.base}/cgi-bin/token?${q}`);
    } else {
      // stable_token returns the same token while it is valid; force_refresh rotates it (§10).
      const body = { grant_type: 'client_credential', appid: c.appId, secret: c.appSecret, force_refresh: force };
      answer = await requestJson<TokenAnswer>(http, 'stable_token', `${c.base}/cgi-bin/stable_token`, body);
    }
  } catch (err) {
    throw credentialsRefused(err);
  }
  return { token: answer.access_token, expiresInS: answer.expires_in };
}

export interface WechatApiOptions {
  /** API base URL without trailing slash, e.g. config.WECHAT_API_BASE. */
  base: string;
  appId: string;
  appSecret: string;
  redis: Redis;
  tokenEndpoint?: TokenEndpoint;
  /** Per-request timeout (default 5 000 ms). */
  timeoutMs?: number;
  fetch?: FetchFn;
  /** Overrides for the token cache (lock and poll timings in tests). */
  tokenCache?: Omit<TokenCacheOptions, 'redis' | 'key' | 'fetchToken'>;
}

/** Template data: plain strings are wrapped as `{value}`. */
export type TemplateData = Record<string, string | { value: string; color?: string }>;

/** One menu button (§6 events: CLICK sends its key, view opens the URL). */
export type MenuButton =
  | { type: 'click'; name: string; key: string }
  | { type: 'view'; name: string; url: string }
  | { type: 'miniprogram'; name: string; url: string; appid: string; pagepath: string }
  | { name: string; sub_button: MenuButton[] };

export interface Menu {
  button: MenuButton[];
}

export interface QrCodeRequest {
  /** Integer → scene_id, string → scene_str. */
  scene: string | number;
  permanent: boolean;
  /** Temporary codes only: 60..2 592 000 s (default the maximum, 30 days). */
  expireSeconds?: number;
}

export interface QrCode {
  ticket: string;
  /** What the QR encodes. */
  url: string;
  /** null for permanent codes. */
  expireSeconds: number | null;
  /** Image to print: showqrcode on the public site. */
  imageUrl: string;
}

export interface UserInfo {
  openid: string;
  subscribed: boolean;
  unionid?: string;
  language?: string;
  /** Unix seconds. */
  subscribeTime?: number;
  remark?: string;
  tagIds: number[];
  subscribeScene?: string;
  qrScene?: number;
  qrSceneStr?: string;
}

export interface WechatApi {
  sendText(openid: string, text: string): Promise<void>;
  sendTemplate(openid: string, templateId: string, data: TemplateData, url?: string): Promise<{ msgid: number }>;
  createMenu(menu: Menu): Promise<void>;
  createQrCode(req: QrCodeRequest): Promise<QrCode>;
  getUserInfo(openid: string): Promise<UserInfo>;
  getAccessToken(): Promise<string>;
}

/** Build the request body of a QR code; throws RangeError for values WeChat would refuse. */
export function qrCodeBody(req: QrCodeRequest): Record<string, unknown> {
  const isId = typeof req.scene === 'number';
  if (isId) {
    const max = req.permanent ? 100_000 : 0xffffffff;
    if (!Number.isInteger(req.scene) || (req.scene as number) < 1 || (req.scene as number) > max) throw new RangeError(`scene id must be an integer 1..${max}`);
  } else if ((req.scene as string).length < 1 || (req.scene as string).length > 64) {
    throw new RangeError('scene string must be 1..64 characters');
  }
  const scene = isId ? { scene_id: req.scene } : { scene_str: req.scene };
  const action_name = `${req.permanent ? 'QR_LIMIT_' : 'QR_'}${isId ? '' : 'STR_'}SCENE`;
  if (req.permanent) return { action_name, action_info: { scene } };
  const expire_seconds = req.expireSeconds ?? 2_592_000;
  if (!Number.isInteger(expire_seconds) || expire_seconds < 60 || expire_seconds > 2_592_000) throw new RangeError('expireSeconds must be 60..2592000');
  return { expire_seconds, action_name, action_info: { scene } };
}

interface RawUserInfo {
  subscribe: number;
  openid: string;
  unionid?: string;
  language?: string;
  subscribe_time?: number;
  remark?: string;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
}

function toUserInfo(raw: RawUserInfo): UserInfo {
  const info: UserInfo = { openid: raw.openid, subscribed: raw.subscribe === 1, tagIds: raw.tagid_list ?? [] };
  if (raw.unionid !== undefined) info.unionid = raw.unionid;
  if (raw.language !== undefined) info.language = raw.language;
  if (raw.subscribe_time !== undefined) info.subscribeTime = raw.subscribe_time;
  if (raw.remark !== undefined) info.remark = raw.remark;
  if (raw.subscribe_scene !== undefined) info.subscribeScene = raw.subscribe_scene;
  if (raw.qr_scene !== undefined) info.qrScene = raw.qr_scene;
  if (raw.qr_scene_str !== undefined) info.qrSceneStr = raw.qr_scene_str;
  return info;
}

/** Create the Official Account client. Tokens are shared through Redis with every process. */
export function createWechatApi(opts: WechatApiOptions): WechatApi {
  const http = httpFor(opts);
  const base = opts.base.replace(/\/+$/, '');
  const source = { base, appId: opts.appId, appSecret: opts.appSecret, endpoint: opts.tokenEndpoint ?? 'stable' } as const;
  const tokens = createTokenCache({
    ...opts.tokenCache,
    redis: opts.redis,
    key: officialAccountTokenKey(opts.appId),
    fetchToken: (force) => fetchOfficialAccountToken(http, source, force),
  });
  const post = <T>(endpoint: string, path: string, body: unknown) =>
    withToken(tokens, (t) => requestJson<T>(http, endpoint, `${base}${path}?access_token=${encodeURIComponent(t)}`, body));

  return {
    getAccessToken: () => tokens.get(),
    async sendText(openid, text) {
      // Only inside the customer-service window: 45015 outside it, 45047 past the quota (§8).
      await post('custom_send', '/cgi-bin/message/custom/send', { touser: openid, msgtype: 'text', text: { content: text } });
    },
    async sendTemplate(openid, templateId, data, url) {
      const wrapped = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? { value: v } : v]));
      const body = { touser: openid, template_id: templateId, data: wrapped, ...(url ? { url } : {}) };
      const res = await post<{ msgid: number }>('template_send', '/cgi-bin/message/template/send', body);
      return { msgid: res.msgid };
    },
    async createMenu(menu) {
      await post('menu_create', '/cgi-bin/menu/create', menu);
    },
    async createQrCode(req) {
      const res = await post<{ ticket: string; url: string; expire_seconds?: number }>('qrcode_create', '/cgi-bin/qrcode/create', qrCodeBody(req));
      const imageUrl = `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(res.ticket)}`;
      return { ticket: res.ticket, url: res.url, expireSeconds: res.expire_seconds ?? null, imageUrl };
    },
    async getUserInfo(openid) {
      const q = new URLSearchParams({ openid, lang: 'zh_CN' });
      const raw = await withToken(tokens, (t) =>
        requestJson<RawUserInfo>(http, 'user_info', `${base}/cgi-bin/user/info?access_token=${encodeURIComponent(t)}&${q}`),
      );
      return toUserInfo(raw);
    },
  };
}
