import type { OutboundReply } from './messages.js';
import type { InboundStore, ParkedInbound } from './inbound-store.js';
import { recordLateReply } from './late-reply.js';
import { handleInbound, type InboundDeps } from './handle-inbound.js';

export interface RescueDeps {
  store: InboundStore;
  /** This rescuer's claim owner id (unique per attempt). */
  owner: string;
  /** Run the conversation step for the message (resident, session, flow) and return its reply. */
  converse(parked: ParkedInbound): Promise<OutboundReply | null>;
  /** The "please send that again" text, in the resident's language. */
  apology(parked: ParkedInbound): Promise<OutboundReply>;
  /** Queue the `late-reply` job for a recorded reply. */
  enqueueLateReply(dedupKey: string): Promise<void>;
  /** How often to renew our claim while the step runs. */
  renewEveryMs: number;
}

export type RescueResult = 'finished' | 'still-running' | 'rescued' | 'nothing-parked';

/**
 * The `inbound-rescue` job for one message whose webhook answered `success` at the deadline
 * with its run unfinished. WeChat will not retry after `success`, so if that run's process dies
 * before it records an outcome nothing else would ever answer the resident. This job does:
 * - the run recorded an outcome → `finished` (its own late reply is on its way);
 * - the run still holds its (renewed) claim → `still-running`: look again later;
 * - the claim lapsed with no outcome → the process died: claim the message and run it here,
 *   and the reply goes out through the late-reply job like any late reply. A step that fails
 *   here answers with the apology, as a failure after the deadline does in the webhook.
 */
export async function rescueInbound(deps: RescueDeps, dedupKey: string): Promise<RescueResult> {
  const record = await deps.store.get(dedupKey);
  if (record?.state === 'done') return 'finished';
  if (record?.state === 'running') return 'still-running';
  const parked = await deps.store.parked(dedupKey);
  if (!parked) return 'nothing-parked';
  if (!(await deps.store.claim(dedupKey, deps.owner))) return 'still-running';
  const renewal = setInterval(() => void deps.store.renew(dedupKey, deps.owner).catch(() => {}), deps.renewEveryMs);
  let reply: OutboundReply | null;
  try {
    reply = await deps.converse(parked).catch(() => deps.apology(parked));
  } catch (err) {
    // Not even the apology could be made (the database is down): let the job retry later.
    await deps.store.release(dedupKey, deps.owner).catch(() => {});
    throw err;
  } finally {
    clearInterval(renewal);
  }
  const r = { channel: parked.channel, openid: parked.inbound.fromUser };
  if (reply) await recordLateReply(deps.store, deps.enqueueLateReply, dedupKey, { ...r, reply });
  else await deps.store.complete(dedupKey, { state: 'done', via: 'late', reply: null, ...r });
  return 'rescued';
}

/**
 * The conversation step for a parked message, as the webhook runs it: resident (recorded once),
 * session, flow step and effects, session saved.
 */
export async function rerunConversation(deps: InboundDeps, parked: ParkedInbound): Promise<OutboundReply | null> {
  const { channel, inbound, receivedAt } = parked;
  return (await handleInbound(deps, { channel, inbound, receivedAt: new Date(receivedAt), rerun: true })).reply;
}
