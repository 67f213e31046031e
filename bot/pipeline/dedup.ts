import type { Middleware } from 'koa';
import type { Queue } from 'bullmq';
import type { Clock, Ids } from '../runtime.js';
import { recordLateReply } from '../../handlers/inbound/late-reply.js';
import { RUNNING_TTL_MS, type InboundStore } from './dedup-store.js';
import type { WebhookState } from './channel.js';
import type { ClaimMessage } from './claim.js';
import type { OutboundReply } from '../wechat/index.js';

const POLL_MS = 50;
/** Renew a running claim this often (a third of its lifetime). */
const RENEW_EVERY_MS = RUNNING_TTL_MS / 3;

/**
 * Job id of the late reply for one inbound message (deterministic: enqueueing twice is harmless).
 * BullMQ refuses custom ids containing ':' (it reserves them for repeatable jobs), and dedup keys
 * are made of ':'-joined parts, so the key is percent-encoded (injective, still readable).
 */
export const lateReplyJobId = (dedupKey: string) => `reply-${encodeURIComponent(dedupKey)}`;
/** Job id of the rescue check for one inbound message (see `handlers/inbound/rescue.ts`). */
export const rescueJobId = (dedupKey: string) => `rescue-${encodeURIComponent(dedupKey)}`;
/** The first rescue check comes once a dead owner's claim has surely lapsed. */
export const RESCUE_FIRST_CHECK_MS = RUNNING_TTL_MS + 1000;

/** Both jobs retry a failing run a few times, and keep a bounded history for Bull Board. */
const RETRIES = { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 } as const;

/** Queue the sender of a recorded late reply (deterministic id: twice is harmless). */
export const lateReplyEnqueuer = (queue: Queue) => async (dedupKey: string) => {
  await queue.add('late-reply', { dedupKey }, { jobId: lateReplyJobId(dedupKey), ...RETRIES });
};

/** Queue the rescue check of a message answered before its run finished (twice is harmless too). */
export const rescueEnqueuer = (queue: Queue) => async (dedupKey: string) => {
  await queue.add('inbound-rescue', { dedupKey }, { jobId: rescueJobId(dedupKey), delay: RESCUE_FIRST_CHECK_MS, ...RETRIES });
};

/**
 * Exactly-once handling (§5): WeChat re-sends a push up to three times when it gets no answer
 * in 5 s, possibly while the first is still running. Each message's key is claimed atomically
 * in Redis *before* any work, so across all server processes the handler runs once:
 * - the first delivery runs the rest of the chain and records the outcome;
 * - a retry during the run waits for that outcome and answers the same reply;
 * - a retry after it answers the recorded reply (or `success` when the reply went out late).
 * A failed run releases its claim and a crashed one stops renewing it; either way the next
 * delivery (a waiting duplicate, or WeChat's next retry) claims the message and runs it. Once
 * a request answered `success` at the deadline there is no next delivery, so the message is
 * parked for the rescue job, which runs it if the claim lapses without an outcome.
 */
export function dedup(
  store: InboundStore,
  queues: { lateReply: Queue; inboundRescue: Queue },
  ids: Ids,
  clock: Clock,
  apology: (state: WebhookState) => OutboundReply,
  claim: ClaimMessage = (key, owner) => store.claim(key, owner),
): Middleware<WebhookState> {
  const enqueueLateReply = lateReplyEnqueuer(queues.lateReply);
  const enqueueRescue = rescueEnqueuer(queues.inboundRescue);
  // Claim owners need only be unique: a random prefix per process and a counter (no random bytes per request).
  const ownerPrefix = `${process.pid}-${ids.random(6)}`;
  let runs = 0;
  return async (ctx, next) => {
    const { inbound } = ctx.state.request;
    const key = inbound.dedupKey;
    const owner = `${ownerPrefix}-${++runs}`;
    ctx.state.receivedAt = clock.now();
    const receivedAt = ctx.state.receivedAt.toISOString();
    // Past the deadline this request answers `success` whether it runs the message or waits on
    // the run that does; either way keep the message for the rescue job first.
    ctx.state.onLate = async () => {
      await store.park(key, { channel: ctx.state.spec.channel, inbound, receivedAt });
      await enqueueRescue(key);
    };
    // Claim, or wait for the run that holds the claim; when that run's claim goes away without
    // an outcome (it failed, or its process died), claim it ourselves and run the handler.
    while (!(await claim(key, owner, ctx.state))) {
      if (await answerFromRecord(ctx.state, store, key)) return;
    }
    const renewal = setInterval(() => void store.renew(key, owner).catch(() => {}), RENEW_EVERY_MS);
    let reply: OutboundReply | null;
    try {
      await next();
      reply = ctx.state.reply ?? null;
    } catch (err) {
      // Within the deadline WeChat still waits: release the claim and let it retry (500).
      // Past it WeChat already has `success` and will not retry, so the resident would never
      // hear back: record an apology asking them to send again, sent through the API.
      if (ctx.state.outcome?.kind !== 'late') {
        await store.release(key, owner);
        throw err;
      }
      reply = apology(ctx.state);
      await recordLateReply(store, enqueueLateReply, key, { channel: ctx.state.spec.channel, openid: inbound.fromUser, reply });
      throw err;
    } finally {
      clearInterval(renewal);
    }
    const via = ctx.state.settle(reply);
    if (via === 'late' && reply) await recordLateReply(store, enqueueLateReply, key, { channel: ctx.state.spec.channel, openid: inbound.fromUser, reply });
    else await store.complete(key, { state: 'done', via, reply, channel: ctx.state.spec.channel, openid: inbound.fromUser });
  };
}

/**
 * A duplicate delivery: wait for the first run's outcome. True when we are answered (its reply,
 * or `success` once our own deadline passed); false when its claim went away without an
 * outcome, so the caller may claim the message and run it.
 */
async function answerFromRecord(state: WebhookState, store: InboundStore, key: string): Promise<boolean> {
  while (!state.outcome) {
    const record = await store.get(key);
    if (!record) return false;
    if (record.state === 'done') {
      // Same answer as the first delivery: its reply, or `success` when that went out late.
      state.settle(record.via === 'passive' ? record.reply : null, record.via);
      return true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}
