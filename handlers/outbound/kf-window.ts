/**
 * A resident's customer-service window as the webhook keeps it (wechat-protocol.md §8): when they
 * last wrote and how many customer-service messages were spent since. The webhook records every
 * inbound in Redis first and writes it to MongoDB behind the reply, so a sender that chooses
 * between a customer-service and a template message asks here before it reads MongoDB.
 * `bot/residents/kf-window.ts` implements it; every answer is atomic in Redis.
 */
export interface KfWindowRef {
  channel: 'wechat' | 'wecom';
  openid: string;
}

/** What the cache knows; `undefined` from `read` when the resident is not cached (MongoDB is current then). */
export interface KfWindow {
  lastInboundAt: Date | null;
  kfSentSinceInbound: number;
}

/**
 * `reserved`: the window is open and one message of its budget is now counted; `closed` / `spent`:
 * send the template instead; `not-cached`: the resident is not in the cache, MongoDB is current —
 * decide from it as before.
 */
export type KfReservation = 'reserved' | 'closed' | 'spent' | 'not-cached';

export interface KfWindows {
  /** Many residents in one round trip (a fan-out batch's hints). */
  read(refs: KfWindowRef[]): Promise<Array<KfWindow | undefined>>;
  /** Reserve one customer-service message (window open and budget left), counted at once. */
  reserve(ref: KfWindowRef, now: Date): Promise<KfReservation>;
  /** Give a reserved message back (WeChat refused the send). False when not cached (refund in MongoDB). */
  refund(ref: KfWindowRef): Promise<boolean>;
  /** WeChat says the budget is spent (45047): none left until the resident writes. False when not cached. */
  spendAll(ref: KfWindowRef): Promise<boolean>;
}
