import Router from '@koa/router';
import type { Runtime } from '../runtime.js';
import { verifyUrl } from '../wechat/index.js';
import { officialAccountChannel, wecomChannel, type ChannelSpec, type WebhookState } from './channel.js';
import { readBody } from './read-body.js';
import { decode } from './decode.js';
import { encodeReply } from './encode-reply.js';
import { arrive, deadline } from './deadline.js';
import { dedup } from './dedup.js';
import { claimAndOpenMessage } from './claim.js';
import { redisInboundStore } from './dedup-store.js';
import { session } from './session.js';
import { apologyIn, dispatch } from './dispatch.js';
import { inboundDeps } from '../conversation.js';
import type { InboundMessage } from '../wechat/index.js';

/** Observation points for tests and benchmarks; production passes none. */
export interface WebhookHooks {
  /**
   * Awaited once per handler run, right after the flow step answered and before the reply is
   * settled: tests count runs with it (exactly-once), and a slow hook stands in for a slow flow
   * (the deadline) while the real pipeline runs around it.
   */
  onHandled?(inbound: InboundMessage): void | Promise<void>;
}

/**
 * `GET/POST /wechat` (Official Account) and `/wecom` (WeCom app). A POST flows through one
 * middleware per step, in data order:
 *   arrive → read-body → decode (verify + decrypt + parse) → encode-reply → deadline → dedup → session → dispatch
 * (encode-reply sits outside the steps whose answer it writes; the deadline counts from `arrive`).
 */
export function webhookRouter(rt: Runtime, hooks: WebhookHooks = {}): Router<WebhookState> {
  const router = new Router<WebhookState>();
  const { config, clock, ids, log } = rt;
  const inboundStore = redisInboundStore(rt.hot);
  const conversation = inboundDeps(rt);
  const steps = [
    readBody(),
    decode(clock, config.WECHAT_TIMESTAMP_TOLERANCE_S),
    encodeReply(clock, ids),
    deadline(config.WECHAT_REPLY_DEADLINE_MS, log),
    dedup(
      inboundStore,
      rt.queues,
      ids,
      clock,
      (state) => apologyIn(rt, state.resident?.language ?? 'zh-CN'),
      claimAndOpenMessage(rt.hot, conversation, config.RESIDENT_WRITE_BACK_MS),
    ),
    session(conversation),
    dispatch(conversation, hooks.onHandled),
  ];
  const mount = (path: string, spec: ChannelSpec) => {
    router.get(path, (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = verifyUrl({
        mode: spec.mode,
        query: ctx.query,
        token: spec.token,
        aesKey: spec.aesKey,
        receiveId: spec.receiveId,
        nowSeconds: Math.floor(clock.now().getTime() / 1000),
        toleranceS: config.WECHAT_TIMESTAMP_TOLERANCE_S,
      });
    });
    router.post(path, arrive(spec), ...steps);
  };
  mount('/wechat', officialAccountChannel(config));
  const wecom = wecomChannel(config);
  if (wecom) mount('/wecom', wecom);
  return router;
}
