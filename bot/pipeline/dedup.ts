import type { Middleware } from 'koa';
import type { Queue } from 'bullmq';
import type { Ids } from '../runtime.js';
import { RUNNING_TTL_MS, type InboundStore } from './dedup-store.js';
import type { WebhookState } from './channel.js';
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

/**
 * Exactly-once handling (§5): WeChat re-sends a push up to three times when it gets no answer
 * in 5 s, possibly while the first is still running. Each message's key is claimed atomically
 * in Redis *before* any work, so across all server processes the handler runs once:
 * - the first delivery runs the rest of the chain and records the outcome;
 * - a retry during the run waits for that outcome and answers the same reply;
 * - a retry after it answers the recorded reply (or `success` when the reply went out late).
 * A failed run releases its claim and a crashed one stops renewing it; either way the next
 * delivery (a waiting duplicate, or WeChat's next retry) claims the message and runs it.
 */
export function dedup(store: InboundStore, lateReplies: Queue, ids: Ids, apology: (state: WebhookState) => OutboundReply): Middleware<WebhookState> {
  return async (ctx, next) => {
    const { inbound } = ctx.state.request;
    const key = inbound.dedupKey;
    const owner = ids.random(9);
    // Claim, or wait for the run that holds the claim; when that run's claim goes away without
    // an outcome (it failed, or its process died), claim it ourselves and run the handler.
    while (!(await store.claim(key, owner))) {
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
      await recordLate(store, lateReplies, key, { channel: ctx.state.spec.channel, openid: inbound.fromUser, reply });
      throw err;
    } finally {
      clearInterval(renewal);
    }
    const via = ctx.state.settle(reply);
    if (via === 'late' && reply) await recordLate(store, lateReplies, key, { channel: ctx.state.spec.channel, openid: inbound.fromUser, reply });
    else await store.complete(key, { state: 'done', via, reply, channel: ctx.state.spec.channel, openid: inbound.fromUser });
  };
}

/** Record a reply that goes out through the API, and queue its sender. */
async function recordLate(store: InboundStore, lateReplies: Queue, key: string, r: { channel: 'wechat' | 'wecom'; openid: string; reply: OutboundReply }): Promise<void> {
  await store.complete(key, { state: 'done', via: 'late', ...r });
  await lateReplies.add('late-reply', { dedupKey: key }, { jobId: lateReplyJobId(key), attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 });
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
