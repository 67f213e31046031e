import type { Middleware } from 'koa';
import type { Logger } from '../log.js';
import type { ChannelSpec, ReplyOutcome, WebhookState } from './channel.js';

/**
 * The first step of a push: note when it arrived. WeChat's 5 s start when it sends the request,
 * so the deadline counts from here, not from when the chain reaches the deadline step: under a
 * spike a request may wait for its body, for the event loop or for Redis before it gets there.
 */
export function arrive(spec: ChannelSpec): Middleware<WebhookState> {
  return (ctx, next) => {
    ctx.state.arrivedAt = performance.now();
    ctx.state.spec = spec;
    return next();
  };
}

/**
 * WeChat waits 5 s, then retries (§5). Run the rest of the chain against `deadlineMs`, counted
 * from the request's arrival (`arrive`), and *return* when it passes (grammY's webhook lesson): the chain keeps running in the background
 * and its reply goes out through the customer-service API.
 *
 * The choice passive-or-late is made exactly once, synchronously, through `settle`: the dedup
 * step calls it the moment the reply is known, the timer calls it at the deadline, and whoever
 * comes second learns the other's decision. So a reply is never both returned and sent later.
 * Before a late `success` goes back the message is handed to the rescue job (`onLate`), so a
 * process that dies after answering cannot take the message with it.
 */
export function deadline(deadlineMs: number, log: Logger): Middleware<WebhookState> {
  return async (ctx, next) => {
    let answer!: (o: ReplyOutcome) => void;
    let fail!: (err: unknown) => void;
    const answered = new Promise<ReplyOutcome>((resolve, reject) => {
      answer = resolve;
      fail = reject;
    });
    const decide = (outcome: ReplyOutcome) => {
      ctx.state.outcome = outcome;
      answer(outcome);
    };
    ctx.state.settle = (reply, via = 'passive') => {
      if (!ctx.state.outcome) decide(via === 'late' ? { kind: 'late' } : { kind: 'passive', reply });
      return ctx.state.outcome.kind;
    };
    const late = () => {
      if (ctx.state.outcome) return;
      // Decided now (a reply arriving from here on goes out late), answered once the message is
      // safe with the rescue job: after `success` WeChat never sends it again.
      ctx.state.outcome = { kind: 'late' };
      const handOver = ctx.state.onLate?.() ?? Promise.resolve();
      handOver
        .catch((err: unknown) => log.error({ err, dedupKey: ctx.state.request.inbound.dedupKey }, 'could not hand a late message to the rescue job'))
        .finally(() => answer({ kind: 'late' }));
    };
    // Whole milliseconds (rounded down, so never later): Node keeps one timer list per distinct
    // duration, and a fractional one made a new list for every request.
    const left = Math.floor(deadlineMs - (performance.now() - ctx.state.arrivedAt));
    const timer = left > 0 ? setTimeout(late, left) : undefined;
    next().then(
      () => {
        clearTimeout(timer);
        ctx.state.settle(null); // a chain that settled nothing answers with an empty body
      },
      (err) => {
        clearTimeout(timer);
        if (!ctx.state.outcome) {
          // Within the deadline: answer 500 so WeChat retries (dedup released the claim).
          ctx.state.outcome = { kind: 'passive', reply: null };
          fail(err);
        } else {
          log.error({ err, dedupKey: ctx.state.request.inbound.dedupKey }, 'inbound handler failed after the reply deadline');
        }
      },
    );
    // Past the deadline already (it queued for its body, the event loop or Redis): answer `success`
    // now. `next()` above has run dedup up to its first await, so the hand-over is in place.
    if (left <= 0) late();
    await answered;
  };
}
