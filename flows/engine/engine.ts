/**
 * The conversation engine: `(spec, session, input, context) → {session, replies, effects}`.
 * Pure — it reads nothing and writes nothing; the caller loads the session and facts and carries
 * out the effects. Around every flow it handles what works anywhere (Rasa's digressions):
 * cancel, back, help, menu, a human, a language switch; an idle conversation's "continue or
 * start again?"; a session left on an older version of its flow.
 */
import { commandOf, foldForMatch } from './input.js';
import { answer, back, help, reask, restart, startFlow, stepOf, Turn, type FlowSet } from './flow-runner.js';
import type { Effect } from './effects.js';
import type { Answers, ConversationContext, ConversationInput, ConversationSession, FlowDefinition, Reply, StepResult } from './types.js';

/** A conversation idle this long asks "continue or start again?" (product.md). */
export const IDLE_MS = 30 * 60_000;

/**
 * Where an input outside a flow leads. A `reply` may ask for effects too (a command answered at
 * once). A flow route with `answer` starts the flow without asking its first question and reads
 * `answer` as the reply to it (a rumour check of the text just sent).
 */
export type Route =
  | { kind: 'flow'; flow: string; carried?: Answers; answer?: string }
  | { kind: 'menu' }
  | { kind: 'reply'; replies: Reply[]; effects?: Effect[] }
  | { kind: 'unknown' };

/** A command answered on the spot, wherever the resident is: the open form (if any) stays as it was. */
export type Aside = Extract<Route, { kind: 'reply' }>;

/** What the engine runs: the flows, and how menu words, menu keys, follows and QR scans map to them. */
export interface ConversationSpec extends FlowSet {
  /** Text sent outside any flow (`input` says whether it is a forwarded article's title). */
  route(text: string, ctx: ConversationContext, input?: Extract<ConversationInput, { kind: 'text' }>): Route;
  /**
   * Words the spec answers anywhere, even while a form is open (e.g. `接 T12`), checked after the
   * engine's own commands and before the form reads its answer; the form's question is asked again.
   */
  aside?(text: string, ctx: ConversationContext): Aside | undefined;
  /** A custom-menu CLICK key. */
  click(key: string, ctx: ConversationContext): Route;
  /** A follow (with the QR poster's scene, if any): the welcome, then what follows it. */
  subscribe(scene: string | undefined, ctx: ConversationContext): { replies: Reply[]; route?: Route };
  /** An existing follower scanned a QR poster. */
  scan(scene: string, ctx: ConversationContext): Route;
  /** The main menu. */
  menu: Reply[];
}

const RESUME = new Map<string, 'continue' | 'restart'>([
  ['1', 'continue'],
  ['继续', 'continue'],
  ['继续填写', 'continue'],
  ['continue', 'continue'],
  ['yes', 'continue'],
  ['是', 'continue'],
  ['2', 'restart'],
  ['重新开始', 'restart'],
  ['重来', 'restart'],
  ['重新填写', 'restart'],
  ['restart', 'restart'],
  ['start again', 'restart'],
  ['start over', 'restart'],
]);

export function converse(spec: ConversationSpec, session: ConversationSession, input: ConversationInput, ctx: ConversationContext): StepResult {
  const turn = new Turn();
  const s = step(spec, turn, session, input, ctx);
  // A flow that needs facts not loaded yet: the caller loads them and runs the same input again.
  if (turn.needFacts)
    return { session, replies: [], effects: [], needFacts: turn.needFacts, ...(turn.lookupQuery !== undefined ? { lookupQuery: turn.lookupQuery } : {}) };
  return { session: s, replies: turn.replies, effects: turn.effects };
}

function step(spec: ConversationSpec, turn: Turn, s: ConversationSession, input: ConversationInput, ctx: ConversationContext): ConversationSession {
  switch (input.kind) {
    case 'silent':
      return s;
    case 'subscribe': {
      const w = spec.subscribe(input.scene, ctx);
      turn.say(...w.replies);
      return w.route ? follow(spec, turn, {}, w.route, ctx) : {};
    }
    case 'scan':
      return follow(spec, turn, s, spec.scan(input.scene, ctx), ctx);
    case 'click':
      return follow(spec, turn, {}, spec.click(input.key, ctx), ctx);
    case 'unreadable': {
      turn.say({ key: input.what === 'voice' ? 'engine:voice_unrecognised' : 'engine:unreadable' });
      const def = activeFlow(spec, s);
      if (def) reask(turn, s, def, ctx);
      return s;
    }
    case 'text':
      return onText(spec, turn, s, input, ctx);
  }
}

function activeFlow(spec: FlowSet, s: ConversationSession): FlowDefinition | undefined {
  return s.flow ? spec.flows[s.flow] : undefined;
}

function follow(spec: ConversationSpec, turn: Turn, s: ConversationSession, route: Route, ctx: ConversationContext): ConversationSession {
  switch (route.kind) {
    case 'flow': {
      if (route.answer === undefined) return startFlow(spec, turn, route.flow, ctx, route.carried);
      const quiet = new Turn(); // the first question is not asked: the text already answers it
      const started = startFlow(spec, quiet, route.flow, ctx, route.carried);
      turn.needFacts = quiet.needFacts;
      if (quiet.needFacts) return s; // facts the flow needs to start; the lookup comes next round
      if (started.flow !== route.flow) {
        // It finished at once or sent the resident elsewhere first (registration): as it said.
        turn.say(...quiet.replies).do(...quiet.effects);
        return started;
      }
      turn.do(...quiet.effects);
      return answer(spec, turn, started, route.answer, ctx);
    }
    case 'reply':
      turn.do(...(route.effects ?? [])).say(...route.replies);
      return s;
    case 'unknown':
      turn.say({ key: 'engine:not_understood' }, ...spec.menu);
      return {};
    case 'menu':
      turn.say(...spec.menu);
      return {};
  }
}

function onText(
  spec: ConversationSpec,
  turn: Turn,
  s0: ConversationSession,
  input: Extract<ConversationInput, { kind: 'text' }>,
  ctx: ConversationContext,
): ConversationSession {
  const { text } = input;
  let s = s0;
  const def = activeFlow(spec, s);
  if (s.flow && !def) {
    // The flow was removed by a deploy: say so instead of failing.
    turn.say({ key: 'engine:flow_gone' }, ...spec.menu);
    return {};
  }
  if (def && s.flowVersion !== def.version) {
    const carried = carryOver(def, s);
    if (!carried) {
      turn.say({ key: 'engine:flow_updated_restart', params: { flow: def.title } });
      return restart(spec, turn, s, ctx);
    }
    if (carried.step !== s.step) {
      turn.say({ key: 'engine:flow_updated_continue', params: { flow: def.title } });
      reask(turn, carried, def, ctx);
      return carried;
    }
    s = carried;
  }
  const command = text.length <= 40 ? commandOf(text) : undefined;
  if (command) return onCommand(spec, turn, s, def, command, ctx);
  const aside = text.length <= 40 ? spec.aside?.(text, ctx) : undefined;
  if (aside) {
    follow(spec, turn, s, aside, ctx);
    if (!def) return s;
    reask(turn, s, def, ctx);
    return { ...s, resumeOffered: false };
  }
  if (!def) return follow(spec, turn, s, spec.route(text, ctx, input), ctx);
  const idle = s.updatedAt ? ctx.now.getTime() - Date.parse(s.updatedAt) : 0;
  if (!s.resumeOffered && idle > IDLE_MS) {
    turn.say({ key: 'engine:resume_offer', params: { flow: def.title } });
    return { ...s, resumeOffered: true };
  }
  if (s.resumeOffered) {
    const choice = RESUME.get(foldForMatch(text));
    if (!choice) {
      // Not an answer to "continue or restart?": treat it as the answer to the open question.
      return answer(spec, turn, { ...s, resumeOffered: false }, text, ctx);
    }
    if (choice === 'restart') return restart(spec, turn, { ...s, resumeOffered: false }, ctx);
    reask(turn, s, def, ctx);
    return { ...s, resumeOffered: false };
  }
  return answer(spec, turn, s, text, ctx);
}

/** A session on an older version of its flow, moved to the same (or mapped) step; undefined when it cannot be. */
function carryOver(def: FlowDefinition, s: ConversationSession): ConversationSession | undefined {
  const mapped = def.migrate?.[s.flowVersion ?? 0]?.[s.step ?? ''] ?? s.step;
  if (!stepOf(def, mapped)) return undefined;
  const known = new Set(def.steps.map((st) => st.id));
  return { ...s, flowVersion: def.version, step: mapped, history: (s.history ?? []).filter((h) => known.has(h)), editing: false };
}

function onCommand(
  spec: ConversationSpec,
  turn: Turn,
  s: ConversationSession,
  def: FlowDefinition | undefined,
  command: NonNullable<ReturnType<typeof commandOf>>,
  ctx: ConversationContext,
): ConversationSession {
  switch (command.kind) {
    case 'language': {
      turn.do({ type: 'setLanguage', language: command.language });
      turn.say({ key: 'common:language_switched' });
      // The caller renders in the new language; the open question is asked again in it.
      const switched = { ...ctx, resident: { ...ctx.resident, language: command.language } };
      if (def) reask(turn, s, def, switched);
      else turn.say(...spec.menu);
      return { ...s, resumeOffered: false };
    }
    case 'cancel':
      if (def) turn.say({ key: 'engine:cancelled', params: { flow: def.title } });
      turn.say(...spec.menu);
      return {};
    case 'menu':
      if (def) turn.say({ key: 'engine:left_flow', params: { flow: def.title } });
      turn.say(...spec.menu);
      return {};
    case 'back':
      if (!def) {
        turn.say(...spec.menu);
        return {};
      }
      return back(spec, turn, { ...s, resumeOffered: false }, ctx);
    case 'help':
      if (!def) {
        turn.say({ key: 'engine:help_menu' }, ...spec.menu);
        return s;
      }
      help(turn, s, def, ctx);
      return { ...s, resumeOffered: false };
    case 'human':
      turn.do({ type: 'escalate', reason: 'asked', ...(def ? { flow: def.id, step: s.step } : {}) });
      turn.say({ key: 'engine:human_requested' });
      if (def) reask(turn, s, def, ctx);
      return s;
  }
}
