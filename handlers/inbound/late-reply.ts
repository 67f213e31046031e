import type { OutboundReply } from './messages.js';
import type { InboundStore } from './inbound-store.js';

export interface LateReplyDeps {
  store: InboundStore;
  /** Send a text through the channel's API (customer-service message / WeCom app message). */
  sendText(channel: 'wechat' | 'wecom', openid: string, text: string): Promise<void>;
  now(): Date;
}

/** Customer-service messages cannot carry a passive news item; send its title and link. */
export function replyAsText(reply: OutboundReply): string {
  if (reply.type === 'text') return reply.content;
  return reply.articles.map((a) => [a.title, a.description, a.url].filter(Boolean).join('\n')).join('\n\n');
}

/**
 * Record a reply that goes out through the API, then queue its sender (in that order: the job
 * finds the record). `enqueue` adds the `late-reply` job under its deterministic id.
 */
export async function recordLateReply(
  store: InboundStore,
  enqueue: (dedupKey: string) => Promise<void>,
  dedupKey: string,
  r: { channel: 'wechat' | 'wecom'; openid: string; reply: OutboundReply },
): Promise<void> {
  await store.complete(dedupKey, { state: 'done', via: 'late', ...r });
  await enqueue(dedupKey);
}

/**
 * Send a reply that missed the 5-second window through the API (job `reply:<dedupKey>`).
 * The record is marked `sending` before the call and `sent` after it; an API error (a known
 * failure) rolls the mark back so the job's retry sends again. A job that finds `sending`
 * left by a sender that died mid-call sends again: a possible duplicate reply is better than a
 * resident never hearing back (the same choice as notice deliveries, see README).
 */
export async function sendLateReply(deps: LateReplyDeps, dedupKey: string): Promise<'sent' | 'skipped'> {
  const record = await deps.store.get(dedupKey);
  if (record?.state !== 'done' || record.via !== 'late' || !record.reply) return 'skipped';
  if (record.delivery?.state === 'sent') return 'skipped';
  await deps.store.complete(dedupKey, { ...record, delivery: { state: 'sending', at: deps.now().toISOString() } });
  try {
    await deps.sendText(record.channel, record.openid, replyAsText(record.reply));
  } catch (err) {
    await deps.store.complete(dedupKey, { ...record });
    throw err;
  }
  await deps.store.complete(dedupKey, { ...record, delivery: { state: 'sent', at: deps.now().toISOString() } });
  return 'sent';
}
