/**
 * Mock of the remote WeChat Official Account and WeCom HTTP APIs (the only thing Linli mocks).
 * Behaviour follows docs/wechat-protocol.md §8–§12: classic tokens replace each other, stable
 * tokens are reused until near expiry unless force_refresh, expired/replaced/unknown tokens answer
 * 42001/40001/40014, and faults can be injected per endpoint (optionally per recipient).
 *
 * Importable: `const mock = await startMockWechatApi({ port: 0 })`, then point WECHAT_API_BASE /
 * WECOM_API_BASE at `mock.url`. CLI: `tsx scripts/mock-wechat-api.ts [--port N]`.
 * Control over HTTP for other processes: GET|DELETE /__calls, GET /__stats, GET|POST|DELETE
 * /__faults, POST /__expire-tokens.
 *
 * Hot path is O(1) per call (Map lookups, no scans) so 100k-message benchmarks measure Linli.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { isMain } from './is-main.js';
import {
  ENDPOINTS,
  fail,
  ok,
  type Answer,
  type EndpointName,
  type EndpointStats,
  type MockCall,
  type MockFault,
  type MockWechatApi,
  type MockWechatApiOptions,
} from './mock-wechat/types.js';
import { compileFault, describeFault, faultKey, type Fault } from './mock-wechat/faults.js';
import { createTokenStore } from './mock-wechat/tokens.js';
import { checkMenu, utf8Len } from './mock-wechat/menu-rules.js';

export * from './mock-wechat/types.js';

/** Start the mock; resolves once it listens. */
export async function startMockWechatApi(opts: MockWechatApiOptions = {}): Promise<MockWechatApi> {
  const ttlS = opts.tokenTtlS ?? 7200;
  const tokens = createTokenStore(ttlS, opts.oldTokenGraceS ?? 0);
  const random = opts.random ?? Math.random;
  const recordBodies = opts.recordBodies ?? true;
  const maxCalls = opts.maxCalls ?? Infinity;
  const unsubscribed = new Set(opts.unsubscribed ?? []);
  const faults = new Map<string, Fault[]>();
  let calls: MockCall[] = [];
  let stats = { total: 0, byEndpoint: {} as Record<string, EndpointStats> };
  let seq = 0;
  let msgid = 1000;
  const timers = new Set<NodeJS.Timeout>();

  // An omitted or empty expected value accepts anything (npm start passes empty WeCom settings).
  const credentials = (id: string | undefined, secret: string | undefined, wantId?: string, wantSecret?: string) => {
    if (!id || (wantId && id !== wantId)) return 'id';
    if (!secret || (wantSecret && secret !== wantSecret)) return 'secret';
    return null;
  };

  type Ctx = { query: Record<string, string>; body: Record<string, unknown> };
  const oa = (ctx: Ctx) => tokens.check(ctx.query.access_token, 'oa:');
  const handlers: Record<EndpointName, (ctx: Ctx) => Answer> = {
    token: ({ query: q }) => {
      if (q.grant_type !== 'client_credential') return fail(40002, 'invalid grant_type');
      const bad = credentials(q.appid, q.secret, opts.appId, opts.appSecret);
      if (bad === 'id') return fail(40013, 'invalid appid');
      if (bad === 'secret') return fail(40001, 'AppSecret error or access_token is invalid');
      return ok(tokens.classic(`oa:${q.appid}`));
    },
    stable_token: ({ body: b }) => {
      if (b.grant_type !== 'client_credential') return fail(40002, 'invalid grant_type');
      const bad = credentials(b.appid as string, b.secret as string, opts.appId, opts.appSecret);
      if (bad === 'id') return fail(40013, 'invalid appid');
      if (bad === 'secret') return fail(40125, 'invalid appsecret');
      return ok(tokens.reuse(`stable:${b.appid}`, `oa:${b.appid}`, b.force_refresh === true));
    },
    custom_send: (ctx) => oa(ctx) ?? recipient(ctx.body) ?? (ctx.body.msgtype ? ok() : fail(47001, 'data format error')),
    template_send: (ctx) => oa(ctx) ?? recipient(ctx.body) ?? (ctx.body.template_id ? ok({ msgid: ++msgid }) : fail(40037, 'invalid template_id')),
    menu_create: (ctx) => oa(ctx) ?? checkMenu(ctx.body) ?? ok(),
    qrcode_create: (ctx) => oa(ctx) ?? qrcode(ctx.body),
    user_info: (ctx) => oa(ctx) ?? userInfo(ctx.query),
    wecom_gettoken: ({ query: q }) => {
      const bad = credentials(q.corpid, q.corpsecret, opts.corpId, opts.corpSecret);
      if (bad === 'id') return fail(40013, 'invalid corpid');
      if (bad === 'secret') return fail(40001, 'invalid credential');
      const owner = `wecom:${q.corpid}:${q.corpsecret}`;
      return ok(tokens.reuse(owner, owner, false)); // WeCom: same token while valid
    },
    wecom_send: (ctx) => tokens.check(ctx.query.access_token, 'wecom:') ?? wecomSend(ctx.body),
  };

  function recipient(b: Record<string, unknown>): Answer | null {
    if (typeof b.touser !== 'string' || b.touser === '') return fail(40003, 'invalid openid');
    return unsubscribed.has(b.touser) ? fail(43004, 'require subscribe') : null;
  }

  function qrcode(b: Record<string, unknown>): Answer {
    const name = b.action_name;
    const scene = (b.action_info as { scene?: { scene_id?: unknown; scene_str?: unknown } } | undefined)?.scene;
    const str = name === 'QR_STR_SCENE' || name === 'QR_LIMIT_STR_SCENE';
    if (!str && name !== 'QR_SCENE' && name !== 'QR_LIMIT_SCENE') return fail(40097, 'invalid args: action_name');
    if (str ? utf8Len(scene?.scene_str) < 1 || utf8Len(scene?.scene_str) > 64 : typeof scene?.scene_id !== 'number') return fail(40097, 'invalid args: scene');
    const ticket = `gQ${crypto.randomBytes(18).toString('base64url')}`;
    const url = `http://weixin.qq.com/q/${ticket.slice(2, 22)}`;
    if ((name as string).startsWith('QR_LIMIT')) return ok({ ticket, url });
    const expire = Math.min(Number(b.expire_seconds ?? 60) || 60, 2_592_000);
    return ok({ ticket, expire_seconds: expire, url });
  }

  function userInfo(q: Record<string, string>): Answer {
    if (!q.openid) return fail(40003, 'invalid openid');
    if (unsubscribed.has(q.openid)) return { errcode: 0, subscribe: 0, openid: q.openid } as Answer;
    return {
      errcode: 0,
      subscribe: 1,
      openid: q.openid,
      language: q.lang || 'zh_CN',
      subscribe_time: 1_700_000_000,
      remark: '',
      groupid: 0,
      tagid_list: [],
      subscribe_scene: 'ADD_SCENE_QR_CODE',
      qr_scene: 0,
      qr_scene_str: '',
    } as Answer;
  }

  function wecomSend(b: Record<string, unknown>): Answer {
    if (typeof b.agentid !== 'number') return fail(40056, 'invalid agentid');
    if (!b.touser && !b.toparty && !b.totag) return fail(81013, 'user & party & tag all invalid');
    const users = typeof b.touser === 'string' ? b.touser.split('|') : [];
    const invalid = users.filter((u) => unsubscribed.has(u));
    if (users.length > 0 && invalid.length === users.length && !b.toparty && !b.totag) return fail(81013, 'user & party & tag all invalid');
    return ok({ invaliduser: invalid.join('|'), msgid: `mock${++msgid}` });
  }

  /** The first fault that applies to this call, consuming one of its `times`. */
  function pickFault(endpoint: string, body: Record<string, unknown>): Fault | null {
    for (const list of [faults.get(endpoint), faults.get('*')]) {
      if (!list) continue;
      for (const f of list) {
        if (f.remaining <= 0) continue;
        if (f.openids && !matchesRecipient(f.openids, body.touser)) continue;
        if (f.rate < 1 && random() >= f.rate) continue;
        f.remaining -= 1;
        return f;
      }
    }
    return null;
  }

  const matchesRecipient = (set: Set<string>, touser: unknown): boolean =>
    typeof touser === 'string' && (set.has(touser) || (touser.includes('|') && touser.split('|').some((u) => set.has(u))));

  function record(call: MockCall): void {
    calls.push(call);
    if (calls.length > 2 * maxCalls) calls = calls.slice(-maxCalls); // amortised O(1)
    stats.total += 1;
    const s = (stats.byEndpoint[call.endpoint] ??= { calls: 0, errcodes: {} });
    s.calls += 1;
    s.errcodes[call.errcode] = (s.errcodes[call.errcode] ?? 0) + 1;
  }

  const send = (res: http.ServerResponse, status: number, payload: unknown) => {
    if (res.destroyed || res.writableEnded) return; // the client gave up (timeout test)
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, u: URL, endpoint: EndpointName): Promise<void> {
    const time = Date.now();
    const raw = req.method === 'POST' ? await readBody(req) : '';
    let body: Record<string, unknown> = {};
    let malformed = false;
    if (raw !== '') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        else malformed = true;
      } catch {
        malformed = true;
      }
    }
    const query = Object.fromEntries(u.searchParams);
    const fault = pickFault(endpoint, body);
    const respond = () => {
      let answer: Answer;
      if (fault?.errcode !== undefined) answer = fail(fault.errcode, `mock fault ${fault.errcode}`);
      else if (malformed) answer = fail(47001, 'data format error');
      else answer = handlers[endpoint]({ query, body });
      const call: MockCall = { seq: ++seq, time, method: req.method!, path: u.pathname, endpoint, query, errcode: answer.errcode };
      if (recordBodies && req.method === 'POST') call.body = malformed ? raw : body;
      record(call);
      send(res, 200, answer);
    };
    if (!fault?.latencyMs) return respond();
    const t = setTimeout(() => {
      timers.delete(t);
      respond();
    }, fault.latencyMs);
    timers.add(t);
  }

  const api: Omit<MockWechatApi, 'url' | 'port' | 'close'> = {
    calls: () => (calls.length > maxCalls ? calls.slice(-maxCalls) : calls.slice()),
    clearCalls: () => {
      calls = [];
      stats = { total: 0, byEndpoint: {} };
    },
    stats: () => structuredClone(stats),
    setFault: (endpoint, fault) => {
      const key = faultKey(endpoint);
      if (fault === null) faults.delete(key);
      else faults.set(key, (Array.isArray(fault) ? fault : [fault]).map(compileFault));
    },
    clearFaults: () => faults.clear(),
    expireTokens: () => tokens.expireAll(),
  };

  /** Test-control routes, for benchmarks and child processes that cannot call the methods. */
  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, u: URL): Promise<void> {
    const endpoint = u.searchParams.get('endpoint');
    switch (`${req.method} ${u.pathname}`) {
      case 'GET /__calls':
        return send(res, 200, endpoint ? api.calls().filter((c) => c.endpoint === endpoint) : api.calls());
      case 'DELETE /__calls':
        api.clearCalls();
        return send(res, 200, { ok: true });
      case 'GET /__stats':
        return send(res, 200, api.stats());
      case 'POST /__expire-tokens':
        api.expireTokens();
        return send(res, 200, { ok: true });
      case 'GET /__faults':
        return send(res, 200, Object.fromEntries([...faults].map(([k, list]) => [k, list.map(describeFault)])));
      case 'DELETE /__faults':
        if (endpoint) api.setFault(endpoint, null);
        else api.clearFaults();
        return send(res, 200, { ok: true });
      case 'POST /__faults': {
        // Body: one fault with its endpoint, or {endpoint, faults: [...] | null}.
        const b = JSON.parse((await readBody(req)) || '{}') as MockFault & { endpoint?: string; faults?: MockFault[] | null };
        api.setFault(b.endpoint ?? '*', b.faults !== undefined ? b.faults : b);
        return send(res, 200, { ok: true });
      }
      default:
        return send(res, 404, { error: `no control route ${req.method} ${u.pathname}` });
    }
  }

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://mock');
    const endpoint = ENDPOINTS[`${req.method} ${u.pathname}` as keyof typeof ENDPOINTS];
    const work = u.pathname.startsWith('/__')
      ? handleControl(req, res, u)
      : endpoint
        ? handleApi(req, res, u, endpoint)
        : Promise.resolve(send(res, 404, fail(40066, `invalid url (mock has no ${req.method} ${u.pathname})`)));
    work.catch((err: Error) => send(res, 400, { error: err.message }));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';

  return {
    ...api,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** CLI: `tsx scripts/mock-wechat-api.ts [--port N] [--host H] [--app-id … --app-secret …]`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'token-ttl': { type: 'string' },
      'app-id': { type: 'string' },
      'app-secret': { type: 'string' },
      'corp-id': { type: 'string' },
      'corp-secret': { type: 'string' },
      'max-calls': { type: 'string' },
      'no-bodies': { type: 'boolean', default: false },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const mock = await startMockWechatApi({
    port: Number(values.port),
    host: values.host,
    tokenTtlS: num(values['token-ttl']),
    appId: values['app-id'],
    appSecret: values['app-secret'],
    corpId: values['corp-id'],
    corpSecret: values['corp-secret'],
    maxCalls: num(values['max-calls']),
    recordBodies: !values['no-bodies'],
  });
  // Stop on a signal before saying where we listen: whoever reads the line may send one at once.
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`mock WeChat API listening on ${mock.url}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((err: Error) => {
    process.stderr.write(`mock WeChat API: ${err.message}\n`);
    process.exit(1);
  });
}
