/** Decoded inbound messages for tests below the webhook (resident store, write-back, rescue). */
import type { InboundMessage } from '../../handlers/inbound/messages.js';

let msgSeq = 0;

/** A text message from `fromUser`, with a MsgId of its own. */
export function textFrom(fromUser: string, content = 'hi'): InboundMessage {
  msgSeq += 1;
  return { type: 'text', content, toUser: 'gh_x', fromUser, createTime: 1, msgId: String(msgSeq), dedupKey: `msg:${fromUser}:${msgSeq}` };
}

/** A follow or unfollow event (with the QR scene of a follow through a poster). */
export function eventFrom(fromUser: string, e: 'subscribe' | 'unsubscribe', sceneKey?: string): InboundMessage {
  return {
    type: 'event',
    event: e,
    ...(sceneKey ? { sceneKey } : {}),
    toUser: 'gh_x',
    fromUser,
    createTime: 1,
    dedupKey: `evt:${fromUser}:1:${e}:`,
  } as InboundMessage;
}
