/**
 * One catalogue of WeChat / WeCom API error codes (the Fastify lesson): callers and tests switch
 * on `code` or `kind`, never on `errmsg` text. `retryable` tells a job processor whether trying
 * the same call again later can succeed (BullMQ: retry vs `UnrecoverableError`).
 *
 * Codes and handling follow docs/wechat-protocol.md §12; the customer-service window codes are
 * from §8, quotas from §10.
 */

/** What went wrong, coarse enough to branch on. */
export type WechatErrorKind =
  | 'token' // access_token invalid / expired / not the latest, or credentials refused
  | 'out_of_window' // 45015: customer-service window closed → fall back to a template message
  | 'unsubscribed' // 43004: the recipient does not follow the account
  | 'quota' // 45009 daily API quota, 45047 per-interaction customer-service quota
  | 'rate' // 45011 per-minute frequency limit
  | 'busy' // -1 system busy
  | 'invalid' // our request is wrong (bad openid, template id, menu, appid…)
  | 'timeout' // no answer within the client's timeout
  | 'network' // connection failed, non-2xx HTTP, or a body that is not JSON
  | 'other';

interface CatalogueEntry {
  kind: WechatErrorKind;
  retryable: boolean;
  meaning: string;
}

/**
 * Local pseudo-codes for failures that never reached an `errcode`. Negative and far from the
 * platform's own `-1` so a switch on `code` cannot confuse them.
 */
export const LOCAL_CODES = {
  timeout: -10001,
  network: -10002,
  badResponse: -10003,
  tokenWait: -10004,
} as const;

const entry = (kind: WechatErrorKind, retryable: boolean, meaning: string): CatalogueEntry => ({ kind, retryable, meaning });

/** Known codes (§12 table plus the few more the API client can meet). */
export const ERROR_CATALOGUE: Readonly<Record<number, CatalogueEntry>> = {
  [-1]: entry('busy', true, 'system busy; retry with back-off (§12, WeCom advises ≤3 retries)'),
  40001: entry('token', true, 'AppSecret wrong or access_token invalid / not the latest (§12)'),
  40014: entry('token', true, 'invalid access_token (§12)'),
  42001: entry('token', true, 'access_token expired (§12)'),
  40125: entry('token', false, 'invalid AppSecret (stable_token)'),
  40013: entry('invalid', false, 'invalid AppID / CorpID (§12)'),
  40164: entry('invalid', false, 'caller IP is not on the account’s whitelist'),
  43004: entry('unsubscribed', false, 'recipient does not follow the account; do not retry (§12)'),
  45015: entry('out_of_window', false, 'customer-service window expired or user unfollowed; use a template (§8, §12)'),
  45047: entry('quota', true, 'customer-service per-interaction quota exceeded; wait for the user (§8, §12)'),
  45009: entry('quota', true, 'daily API quota reached; wait or clear_quota (§10, §12)'),
  45011: entry('rate', true, 'API minute quota reached; slow down'),
  45028: entry('quota', false, 'no mass-send quota left (§11, §12)'),
  48006: entry('quota', false, 'clear_quota monthly limit reached (§12)'),
  40003: entry('invalid', false, 'invalid openid'),
  40037: entry('invalid', false, 'invalid template_id (§9, §12)'),
  47001: entry('invalid', false, 'data format error'),
  44002: entry('invalid', false, 'empty post data'),
  48001: entry('invalid', false, 'api unauthorized for this account'),
  40016: entry('invalid', false, 'invalid button size'),
  40017: entry('invalid', false, 'invalid button type'),
  40018: entry('invalid', false, 'invalid button name size'),
  40019: entry('invalid', false, 'invalid button key size'),
  40023: entry('invalid', false, 'invalid sub button size'),
  40025: entry('invalid', false, 'invalid sub button name size'),
  81013: entry('invalid', false, 'WeCom: every user, party and tag is invalid'),
};

/** An error from a WeChat or WeCom API call. Never carries the access_token. */
export class WechatApiError extends Error {
  override name = 'WechatApiError';
  readonly code: number;
  readonly kind: WechatErrorKind;
  readonly retryable: boolean;
  /** Which API was called, e.g. `custom_send`, `stable_token`. */
  readonly endpoint: string;

  constructor(opts: { code: number; kind: WechatErrorKind; retryable: boolean; endpoint: string; message: string; cause?: unknown }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.kind = opts.kind;
    this.retryable = opts.retryable;
    this.endpoint = opts.endpoint;
  }

  /** Build from an `{errcode, errmsg}` answer; unknown codes are `other` and not retryable. */
  static fromErrcode(endpoint: string, errcode: number, errmsg = ''): WechatApiError {
    const known = ERROR_CATALOGUE[errcode];
    const kind = known?.kind ?? 'other';
    const retryable = known?.retryable ?? false;
    return new WechatApiError({ code: errcode, kind, retryable, endpoint, message: `${endpoint}: errcode ${errcode} ${errmsg}`.trim() });
  }

  static timeout(endpoint: string, ms: number, cause?: unknown): WechatApiError {
    const message = `${endpoint}: no answer within ${ms} ms`;
    return new WechatApiError({ code: LOCAL_CODES.timeout, kind: 'timeout', retryable: true, endpoint, message, cause });
  }

  static network(endpoint: string, detail: string, cause?: unknown, code: number = LOCAL_CODES.network): WechatApiError {
    return new WechatApiError({ code, kind: 'network', retryable: true, endpoint, message: `${endpoint}: ${detail}`, cause });
  }
}

/** True for the errors that mean "get a new access_token and try once more" (§10, §12). */
export function isTokenError(err: unknown): err is WechatApiError {
  return err instanceof WechatApiError && (err.code === 40001 || err.code === 40014 || err.code === 42001);
}
