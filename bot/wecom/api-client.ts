/**
 * WeCom (企业微信) application API client: text messages to members, departments and tags.
 * Tokens come from `GET /cgi-bin/gettoken?corpid&corpsecret`, one per (corp, app secret) pair
 * (docs/wechat-protocol.md §10), shared and refreshed single-flight through the same Redis
 * token cache as the Official Account. gettoken has no force flag: every fetch is a new token.
 */
import type { Redis } from 'ioredis';
import { credentialsRefused, httpFor, requestJson, withToken, type FetchFn, type Http } from '../wechat/api-client.js';
import { createTokenCache, wecomTokenKey, type FetchedToken, type TokenCacheOptions } from '../wechat/token-cache.js';

export interface WecomApiOptions {
  /** e.g. config.WECOM_API_BASE. */
  base: string;
  corpId: string;
  secret: string;
  agentId: string | number;
  redis: Redis;
  timeoutMs?: number;
  fetch?: FetchFn;
  tokenCache?: Omit<TokenCacheOptions, 'redis' | 'key' | 'fetchToken'>;
}

/** Recipients: WeCom UserIDs (or `@all`), department ids, tag ids. At least one list. */
export interface WecomTargets {
  touser?: string[];
  toparty?: string[];
  totag?: string[];
}

/** Recipients WeCom dropped; the send still counts as delivered to the others. */
export interface WecomSendResult {
  msgid: string;
  invalidUser: string[];
  invalidParty: string[];
  invalidTag: string[];
}

export interface WecomApi {
  sendText(to: WecomTargets, text: string): Promise<WecomSendResult>;
  getAccessToken(): Promise<string>;
}

interface RawSendAnswer {
  msgid?: string;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
}

const joinIds = (ids: string[] | undefined): string | undefined => (ids && ids.length > 0 ? ids.join('|') : undefined);
const splitIds = (s: string | undefined): string[] => (s ? s.split('|').filter(Boolean) : []);

async function fetchWecomToken(http: Http, base: string, corpId: string, secret: string): Promise<FetchedToken> {
  const q = new URLSearchParams({ corpid: corpId, corpsecret: secret });
  try {
    const answer = await requestJson<{ access_token: string; expires_in: number }>(http, 'wecom_gettoken', `${base}/cgi-bin/gettoken?${q}`);
    return { token: answer.access_token, expiresInS: answer.expires_in };
  } catch (err) {
    throw credentialsRefused(err);
  }
}

/** Create the WeCom client for one application (corp + secret + agent). */
export function createWecomApi(opts: WecomApiOptions): WecomApi {
  const http = httpFor(opts);
  const base = opts.base.replace(/\/+$/, '');
  const tokens = createTokenCache({
    ...opts.tokenCache,
    redis: opts.redis,
    key: wecomTokenKey(opts.corpId, opts.secret),
    fetchToken: () => fetchWecomToken(http, base, opts.corpId, opts.secret),
  });

  return {
    getAccessToken: () => tokens.get(),
    async sendText(to, text) {
      const targets = { touser: joinIds(to.touser), toparty: joinIds(to.toparty), totag: joinIds(to.totag) };
      if (!targets.touser && !targets.toparty && !targets.totag) throw new RangeError('sendText needs at least one of touser, toparty, totag');
      const body = { ...targets, msgtype: 'text', agentid: Number(opts.agentId), text: { content: text }, safe: 0 };
      const res = await withToken(tokens, (t) =>
        requestJson<RawSendAnswer>(http, 'wecom_send', `${base}/cgi-bin/message/send?access_token=${encodeURIComponent(t)}`, body),
      );
      return { msgid: res.msgid ?? '', invalidUser: splitIds(res.invaliduser), invalidParty: splitIds(res.invalidparty), invalidTag: splitIds(res.invalidtag) };
    },
  };
}
