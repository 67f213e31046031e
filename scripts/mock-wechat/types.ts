/** Public shapes of the mock WeChat API: endpoint names, call records, faults, options. */

/** Endpoint names used in calls, stats and faults (a path such as `/cgi-bin/token` works too). */
export const ENDPOINTS = {
  'GET /cgi-bin/token': 'token',
  'POST /cgi-bin/stable_token': 'stable_token',
  'POST /cgi-bin/message/custom/send': 'custom_send',
  'POST /cgi-bin/message/template/send': 'template_send',
  'POST /cgi-bin/menu/create': 'menu_create',
  'POST /cgi-bin/qrcode/create': 'qrcode_create',
  'GET /cgi-bin/user/info': 'user_info',
  'GET /cgi-bin/gettoken': 'wecom_gettoken',
  'POST /cgi-bin/message/send': 'wecom_send',
} as const;
export type EndpointName = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

export interface MockCall {
  seq: number;
  /** ms since epoch, when the request arrived. */
  time: number;
  method: string;
  path: string;
  endpoint: EndpointName;
  query: Record<string, string>;
  /** Parsed JSON body (absent for GET, or with `recordBodies: false`). */
  body?: unknown;
  /** errcode answered (0 = success). */
  errcode: number;
}

export interface MockFault {
  /** Answer this errcode instead of handling the call (e.g. -1, 45009, 45015, 43004, 45047). */
  errcode?: number;
  /** Probability 0..1 that the fault applies to a call (default 1). */
  rate?: number;
  /** Delay the answer (alone: a slow but successful call). */
  latencyMs?: number;
  /** Apply at most this many times, then disappear. */
  times?: number;
  /** Only calls whose `touser` is one of these (WeCom: any of the `|`-joined ids). */
  openids?: string[];
}

export interface MockWechatApiOptions {
  port?: number;
  host?: string;
  /** Lifetime of issued tokens (default 7200 s, §10). */
  tokenTtlS?: number;
  /** Credentials to check; an omitted or empty one accepts any value. */
  appId?: string;
  appSecret?: string;
  corpId?: string;
  corpSecret?: string;
  /** How long a replaced token keeps working (§10 says up to 5 min; default 0 = at once). */
  oldTokenGraceS?: number;
  /** Keep at most this many calls (oldest dropped; default unlimited). */
  maxCalls?: number;
  /** Store request bodies in the call record (default true). */
  recordBodies?: boolean;
  /** Openids that do not follow the account: sends answer 43004, user/info says subscribe 0. */
  unsubscribed?: string[];
  /** Random source for fault rates (tests can make it deterministic). */
  random?: () => number;
}

export interface EndpointStats {
  calls: number;
  errcodes: Record<string, number>;
}

export interface MockWechatApi {
  url: string;
  port: number;
  calls(): MockCall[];
  clearCalls(): void;
  /** Counts per endpoint and errcode since the last clearCalls (kept even past maxCalls). */
  stats(): { total: number; byEndpoint: Record<string, EndpointStats> };
  /** Replace the faults of an endpoint name or path (`*` = every endpoint); null clears. */
  setFault(endpoint: string, fault: MockFault | MockFault[] | null): void;
  clearFaults(): void;
  /** Every token issued so far is expired from now on (next API use answers 42001). */
  expireTokens(): void;
  close(): Promise<void>;
}

/** A WeChat-style JSON answer. */
export interface Answer {
  errcode: number;
  [k: string]: unknown;
}

export const ok = (extra: Record<string, unknown> = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...extra });
export const fail = (errcode: number, errmsg: string): Answer => ({ errcode, errmsg });
