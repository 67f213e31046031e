/**
 * Running one flow: start it, ask a step, read an answer, go back, change an answer from the
 * summary, finish. Used by the engine (`engine.ts`), which decides *what* the input is; this file
 * decides what a flow does with it. Pure.
 */
import type { Effect } from './effects.js';
import type { FactName, Facts } from './facts.js';
import type { Joined } from './render.js';
import type { Answers, ConversationContext, ConversationSession, FlowDefinition, NextStep, Outcome, Prompt, Reply, Step } from './types.js';
import { DONE } from './types.js';

/** Replies and effects collected while handling one input. */
export class Turn {
  readonly replies: Reply[] = [];
  readonly effects: Effect[] = [];
  needFacts?: FactName[];
  /** The text a needed lookup is for (the answer being read). */
  lookupQuery?: string;
  say(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }
  do(...effects: Effect[]): this {
    this.effects.push(...effects);
    return this;
  }
}

/** The pseudo-step "which answer do you want to change?" shown after `修改` at the summary. */
export const EDIT_STEP = '__edit__';
/** Three invalid answers in a row offer a human (product.md). */
export const MISSES_BEFORE_HUMAN = 3;

export interface FlowSet {
  flows: Record<string, FlowDefinition>;
}

/** The context a flow step sees: the facts loaded at its start come from the session. */
export function flowContext(ctx: ConversationContext, s: ConversationSession): ConversationContext {
  return s.facts ? { ...ctx, facts: { ...ctx.facts, ...s.facts } } : ctx;
}

export const stepOf = (def: FlowDefinition, id: string | undefined): Step | undefined => def.steps.find((s) => s.id === id);

const askPrompt = (step: Step, a: Answers, ctx: ConversationContext): Prompt => (typeof step.ask === 'function' ? step.ask(a, ctx) : step.ask);

/** The question, with its options listed under it. */
export function ask(turn: Turn, step: Step, a: Answers, ctx: ConversationContext): void {
  turn.say(askPrompt(step, a, ctx));
  const options = step.parse.options?.(ctx, a);
  if (options?.length) turn.say({ list: options.map((o) => o.label), numbered: true });
  if (step.parse.kind === 'confirm') turn.say({ key: 'engine:confirm_options' });
}

/** How a stored answer reads back (in summaries and after `返回`). */
export function describeAnswer(step: Step, a: Answers, ctx: ConversationContext): Prompt {
  const value = a[step.id];
  return step.parse.describe?.(value as never, ctx, a) ?? { key: 'engine:raw', params: { value: String(value) } };
}

/** Every answered step that has a label, as `label: answer` lines (for a confirm step's question). */
export function summaryLines(def: FlowDefinition, a: Answers, ctx: ConversationContext): Joined {
  const items = def.steps
    .filter((s) => s.label && s.id in a)
    .map((s) => ({ key: 'engine:summary_line', params: { label: s.label, answer: describeAnswer(s, a, ctx) } }));
  return { items, sep: '\n' };
}

const isAsked = (step: Step, a: Answers, ctx: ConversationContext) => !step.when || step.when(a, ctx);

function nextOf(def: FlowDefinition, step: Step, a: Answers, ctx: ConversationContext): NextStep {
  if (typeof step.next === 'function') return step.next(a, ctx);
  if (step.next) return step.next;
  const i = def.steps.indexOf(step);
  return def.steps[i + 1]?.id ?? DONE;
}

/** The first step from `id` on that is asked (skipping those whose `when` is false). */
function firstAsked(def: FlowDefinition, id: NextStep, a: Answers, ctx: ConversationContext): Step | undefined {
  const seen = new Set<string>();
  let cur: NextStep = id;
  while (cur !== DONE && !seen.has(cur)) {
    seen.add(cur);
    const step = stepOf(def, cur);
    if (!step) throw new Error(`flow ${def.id}: no step ${cur}`);
    if (isAsked(step, a, ctx)) return step;
    cur = nextOf(def, step, a, ctx);
  }
  return undefined;
}

/** Start a flow (registration first when it needs it). */
export function startFlow(set: FlowSet, turn: Turn, id: string, ctx: ConversationContext, carried: Answers = {}, followUp?: string): ConversationSession {
  const def = set.flows[id];
  if (!def) throw new Error(`no flow ${id}`);
  if (def.requiresRegistration && !ctx.resident.registered && set.flows.registration) {
    turn.say({ key: 'engine:register_first', params: { flow: def.title } });
    return startFlow(set, turn, 'registration', ctx, carried, id);
  }
  const missing = (def.needs ?? []).filter((f) => !(f in ctx.facts));
  if (missing.length) {
    turn.needFacts = missing;
    return {};
  }
  const facts: Facts = Object.fromEntries((def.needs ?? []).map((f) => [f, ctx.facts[f]]));
  const started = def.start?.(ctx, carried) ?? {};
  if (started.replies) turn.say(...started.replies);
  const s: ConversationSession = {
    flow: id,
    flowVersion: def.version,
    answers: { ...carried, ...started.answers },
    history: [],
    misses: 0,
    facts,
    ...(followUp ? { followUp } : {}),
  };
  if (started.outcome) return finishWith(set, turn, s, started.outcome, ctx);
  return goTo(set, turn, s, started.at ?? def.steps[0]?.id ?? DONE, ctx);
}

/** Move to a step (or finish when there is none left) and ask it. */
function goTo(set: FlowSet, turn: Turn, s: ConversationSession, id: NextStep, ctx: ConversationContext): ConversationSession {
  const def = set.flows[s.flow!]!;
  const fctx = flowContext(ctx, s);
  const step = firstAsked(def, id, s.answers ?? {}, fctx);
  if (!step) return finishWith(set, turn, s, def.finish(s.answers ?? {}, fctx), ctx);
  const next = { ...s, step: step.id, misses: 0 };
  ask(turn, step, next.answers ?? {}, fctx);
  return next;
}

function finishWith(set: FlowSet, turn: Turn, s: ConversationSession, outcome: Outcome, ctx: ConversationContext): ConversationSession {
  turn.do(...(outcome.effects ?? [])).say(...(outcome.replies ?? []));
  const next = outcome.abandon ? undefined : (outcome.followUp ?? s.followUp);
  if (!next) return {};
  // The follow-up flow sees the registration just saved (the effect runs before the reply).
  const registered = s.flow === 'registration' ? { ...ctx, resident: { ...ctx.resident, registered: true } } : ctx;
  return startFlow(set, turn, next, registered, outcome.carry ?? {});
}

/** Read an answer to the current step. */
export function answer(set: FlowSet, turn: Turn, s: ConversationSession, text: string, ctx: ConversationContext): ConversationSession {
  const def = set.flows[s.flow!]!;
  const fctx = flowContext(ctx, s);
  const a = s.answers ?? {};
  if (s.step === EDIT_STEP) return chooseEdit(set, turn, s, text, ctx);
  const step = stepOf(def, s.step)!;
  if (step.lookup && fctx.facts[step.lookup]?.query !== text) {
    // The caller computes it for this text and runs the input again.
    turn.needFacts = [step.lookup];
    turn.lookupQuery = text;
    return s;
  }
  const parsed = step.parse.parse(text, fctx, a);
  if (!parsed.ok) {
    const misses = (s.misses ?? 0) + 1;
    turn.say(parsed.hint);
    if (misses === MISSES_BEFORE_HUMAN) {
      turn.do({ type: 'escalate', reason: 'misses', flow: def.id, step: step.id, lastInput: text.slice(0, 200) });
      turn.say({ key: 'engine:offer_human' });
    }
    ask(turn, step, a, fctx);
    return { ...s, misses };
  }
  const answers = step.save ? step.save(parsed.value, a, fctx) : { ...a, [step.id]: parsed.value };
  const history = [...(s.history ?? []).filter((h) => h !== step.id), step.id];
  if (step.parse.kind === 'confirm') {
    if (parsed.value === 'submit') return finishWith(set, turn, { ...s, answers }, def.finish(answers, fctx), ctx);
    return offerEdit(turn, { ...s, answers, history }, def);
  }
  let next = nextOf(def, step, answers, fctx);
  // Changing one answer from the summary: skip what is already answered, back to the summary.
  if (s.editing) {
    const seen = new Set<string>();
    // (A step whose `when` still asks for it — an answer the change made invalid — is asked.)
    const settled = (n: Step) => n.id in answers && !n.when?.(answers, fctx);
    for (let n = stepOf(def, next); n && n.parse.kind !== 'confirm' && settled(n) && !seen.has(n.id); n = stepOf(def, next)) {
      seen.add(n.id);
      next = nextOf(def, n, answers, fctx);
    }
  }
  return goTo(set, turn, { ...s, answers, history, editing: false }, next, ctx);
}

function editable(def: FlowDefinition, s: ConversationSession): Step[] {
  return def.steps.filter((st) => st.label && st.parse.kind !== 'confirm' && st.id in (s.answers ?? {}));
}

function offerEdit(turn: Turn, s: ConversationSession, def: FlowDefinition): ConversationSession {
  turn.say({ key: 'engine:edit_which' }, { list: editable(def, s).map((st) => st.label!), numbered: true });
  return { ...s, step: EDIT_STEP, misses: 0 };
}

function chooseEdit(set: FlowSet, turn: Turn, s: ConversationSession, text: string, ctx: ConversationContext): ConversationSession {
  const def = set.flows[s.flow!]!;
  const steps = editable(def, s);
  const n = Number(text.trim());
  const target = Number.isInteger(n) ? steps[n - 1] : undefined;
  if (!target) {
    turn.say({ key: 'engine:choice', params: { count: steps.length } }, { list: steps.map((st) => st.label!), numbered: true });
    return { ...s, misses: (s.misses ?? 0) + 1 };
  }
  const fctx = flowContext(ctx, s);
  turn.say({ key: 'engine:your_answer', params: { answer: describeAnswer(target, s.answers ?? {}, fctx) } });
  ask(turn, target, s.answers ?? {}, fctx);
  return { ...s, step: target.id, editing: true, misses: 0 };
}

/** `返回`/back: the previous question again, its answer shown so it can be kept or changed. */
export function back(set: FlowSet, turn: Turn, s: ConversationSession, ctx: ConversationContext): ConversationSession {
  const def = set.flows[s.flow!]!;
  const fctx = flowContext(ctx, s);
  const history = [...(s.history ?? [])];
  if (s.step === EDIT_STEP) {
    // From "which answer?" back to the summary.
    return goTo(set, turn, { ...s, history }, def.steps.find((st) => st.parse.kind === 'confirm')?.id ?? DONE, ctx);
  }
  let prev = history.pop();
  if (prev === s.step) prev = history.pop();
  const step = stepOf(def, prev);
  if (!step) {
    turn.say({ key: 'engine:no_back' });
    reask(turn, s, def, fctx);
    return s;
  }
  if (step.id in (s.answers ?? {})) turn.say({ key: 'engine:your_answer', params: { answer: describeAnswer(step, s.answers ?? {}, fctx) } });
  ask(turn, step, s.answers ?? {}, fctx);
  return { ...s, step: step.id, history, misses: 0 };
}

/** Ask the current question again (after help, a language switch, an unreadable message…). */
export function reask(turn: Turn, s: ConversationSession, def: FlowDefinition, ctx: ConversationContext): void {
  if (s.step === EDIT_STEP) {
    turn.say({ key: 'engine:edit_which' }, { list: editable(def, s).map((st) => st.label!), numbered: true });
    return;
  }
  const step = stepOf(def, s.step);
  if (step) ask(turn, step, s.answers ?? {}, flowContext(ctx, s));
}

/** The current question's explanation (`<ask key>_help` unless the step names one). */
export function help(turn: Turn, s: ConversationSession, def: FlowDefinition, ctx: ConversationContext): void {
  const step = stepOf(def, s.step);
  if (step) {
    const q = askPrompt(step, s.answers ?? {}, flowContext(ctx, s));
    turn.say(step.help ?? { key: `${q.key}_help` });
  } else turn.say({ key: 'engine:edit_help' });
  reask(turn, s, def, ctx);
}

/** Restart the current flow from its first step (the facts loaded at its start are kept). */
export function restart(set: FlowSet, turn: Turn, s: ConversationSession, ctx: ConversationContext): ConversationSession {
  return startFlow(set, turn, s.flow!, { ...ctx, facts: { ...ctx.facts, ...s.facts } }, {}, s.followUp);
}
