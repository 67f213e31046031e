/**
 * One inbound message, start to finish: the resident (recorded), their conversation (under a
 * per-resident lease), the engine's step, its effects (stored before the reply says "received"),
 * the session saved, the reply rendered in the resident's language. The webhook runs it in two
 * halves around its own steps (`openInbound` in the session middleware, `stepInbound` in the flow
 * step, `closeInbound` after); the rescue job runs `handleInbound` whole. Nothing here knows HTTP.
 */
import { converse, type ConversationSpec } from '../../flows/engine/engine.js';
import { renderReplies, type Translate } from '../../flows/engine/render.js';
import type { Facts } from '../../flows/engine/facts.js';
import type { ConversationContext, ConversationSession, Language, Texts } from '../../flows/engine/types.js';
import { DEFAULT_TIME_ZONE } from '../places/directory.js';
import { conversationInput } from './conversation-input.js';
import { runEffects, type EffectDeps } from './effects/index.js';
import { loadFacts, type FactDeps } from './facts.js';
import type { InboundMessage, OutboundReply } from './messages.js';
import { keepLease, openConversation, sessionKey, type ConversationStore } from './session.js';
import type { ResidentView } from './touch-resident.js';

/** Flows chained in one step, each loading what it needs: more than this is a loop. */
const MAX_FACT_ROUNDS = 3;

export interface InboundDeps extends FactDeps, EffectDeps {
  spec: ConversationSpec;
  conversations: ConversationStore;
  texts: Texts;
  translate(language: Language): Translate;
  /** A unique owner id for the resident lease. */
  owner(): string;
}

export interface InboundRequest {
  channel: 'wechat' | 'wecom';
  inbound: InboundMessage;
  /** When the webhook received it (a rescued message keeps its original time). */
  receivedAt: Date;
  /** Run again by the rescue job: the inbound may be recorded on the resident already. */
  rerun?: boolean;
}

export interface OpenInbound {
  request: InboundRequest;
  resident: ResidentView;
  key: string;
  session: ConversationSession;
  stored: boolean;
  owner: string;
  /** Stops renewing the lease (`closeInbound` calls it). */
  stopRenewing(): void;
}

export interface SteppedInbound {
  reply: OutboundReply | null;
  session: ConversationSession;
  /** The language the reply is in (a switch takes effect at once). */
  language: Language;
}

/**
 * What the webhook's claim of the message already did in the same round trip (`bot/pipeline/claim.ts`):
 * the lease owner it used, the resident when cached (touched already), the conversation when the
 * lease was free (now ours). `openInbound` does the rest itself.
 */
export interface Preopened {
  owner: string;
  resident?: ResidentView;
  conversation?: { session?: ConversationSession };
}

export async function openInbound(deps: InboundDeps, request: InboundRequest, pre?: Preopened): Promise<OpenInbound> {
  const { channel, inbound, receivedAt } = request;
  const key = sessionKey(channel, inbound.fromUser);
  const owner = pre?.owner ?? deps.owner();
  const touch = request.rerun ? deps.residents.touchOnce : deps.residents.touch;
  // Both at once: the resident (Redis, or MongoDB on a miss) and the lease with the conversation,
  // renewed from the moment it is ours until `closeInbound`.
  let stopRenewing = () => {};
  const leased = (pre?.conversation ? Promise.resolve(pre.conversation.session) : openConversation(deps.conversations, key, owner)).then((loaded) => {
    stopRenewing = keepLease(deps.conversations, key, owner);
    return loaded;
  });
  const touched = pre?.resident ? Promise.resolve(pre.resident) : touch(channel, inbound, receivedAt);
  const [resident, loaded] = await Promise.all([touched, leased]).catch(async (err: unknown) => {
    stopRenewing();
    await deps.conversations.close(key, owner, undefined).catch(() => {});
    throw err;
  });
  return { request, resident, key, session: loaded ?? {}, stored: !!loaded, owner, stopRenewing: () => stopRenewing() };
}

export async function stepInbound(deps: InboundDeps, opened: OpenInbound): Promise<SteppedInbound> {
  const { resident, request } = opened;
  const now = deps.clock.now();
  const community = await deps.places.community(resident.registration?.communityCode);
  const timeZone = community?.timeZone ?? DEFAULT_TIME_ZONE;
  const building = community?.buildings.find((b) => b.code === resident.registration?.buildingCode);
  const ctx: ConversationContext = {
    now,
    timeZone,
    resident: {
      id: resident.id,
      language: resident.language,
      registered: resident.registered,
      ...(resident.subscribeScene ? { subscribeScene: resident.subscribeScene } : {}),
      ...(resident.registration
        ? {
            registration: {
              ...resident.registration,
              ...(community ? { communityName: community.name } : {}),
              ...(building ? { buildingName: building.name } : {}),
            },
          }
        : {}),
      vulnerable: resident.vulnerable,
      ...(resident.mobile ? { mobile: resident.mobile } : {}),
      ...(resident.volunteer ? { volunteer: resident.volunteer } : {}),
    },
    facts: {},
    texts: deps.texts,
  };
  const input = conversationInput(request.inbound);
  let result = converse(deps.spec, opened.session, input, ctx);
  // Facts a starting flow needs, then a lookup for the text it reads (a rumour check started by the
  // text itself needs both); a flow that hands over to another (`1` from a volunteer with no task
  // prompt → the health report) may need facts twice. Each round loads what the engine asked for
  // and runs the input again.
  let facts: Facts = {};
  for (let round = 0; result.needFacts; round++) {
    if (round === MAX_FACT_ROUNDS) throw new Error(`the conversation still needs facts ${result.needFacts.join(', ')} after ${round} rounds`);
    facts = { ...facts, ...(await loadFacts(deps, result.needFacts, resident, now, timeZone, result.lookupQuery)) };
    result = converse(deps.spec, opened.session, input, { ...ctx, facts });
  }
  const results = await runEffects(deps, result.effects, { resident, now, timeZone, key: request.inbound.dedupKey });
  const switched = result.effects.findLast((e) => e.type === 'setLanguage');
  const language = switched?.type === 'setLanguage' ? switched.language : resident.language;
  const text = renderReplies(result.replies, deps.translate(language), language, results);
  return { reply: text ? { type: 'text', content: text } : null, session: result.session, language };
}

/**
 * Save the conversation as the step left it (nothing when the step failed), and let the resident's
 * lease go: one call. A lease lost meanwhile (renewal failed, Redis lost it) saves nothing: a later
 * message may have saved since, and this step's effects are stored already.
 */
export async function closeInbound(deps: InboundDeps, opened: OpenInbound, after: ConversationSession | undefined): Promise<void> {
  let save: ConversationSession | null | undefined;
  if (after && after !== opened.session) {
    const is = JSON.stringify(after);
    if (is === '{}') save = opened.stored ? null : undefined;
    else if (is !== JSON.stringify(opened.session)) save = { ...after, updatedAt: deps.clock.now().toISOString() };
  }
  opened.stopRenewing();
  const ours = await deps.conversations.close(opened.key, opened.owner, save);
  if (!ours && save !== undefined) {
    deps.log?.warn({ key: opened.key, flow: after?.flow, step: after?.step }, 'conversation not saved: the resident lease was lost during the step');
  }
}

export async function handleInbound(deps: InboundDeps, request: InboundRequest): Promise<SteppedInbound & { resident: ResidentView }> {
  const opened = await openInbound(deps, request);
  let stepped: SteppedInbound | undefined;
  try {
    stepped = await stepInbound(deps, opened);
  } finally {
    await closeInbound(deps, opened, stepped?.session);
  }
  return { ...stepped, resident: opened.resident };
}
