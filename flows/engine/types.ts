/**
 * The conversation engine's vocabulary. A flow is data — steps with a question (an i18n key), a
 * parser for the answer and the next step — and one engine runs every flow (goflow's lesson).
 * Everything here is pure: the engine takes a session, an input and a context and returns the
 * new session, the replies (as i18n keys) and the effects (as data) that `handlers/` carries out.
 */
import type { Effect } from './effects.js';
import type { Facts, FactName, LookupName } from './facts.js';

export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

/** Something to say: an i18n key with its parameters (rendered by the caller in the resident's language). */
export interface Prompt {
  key: string;
  params?: Record<string, unknown>;
}

/** A reply part: a prompt, or a numbered list of prompts (a choice's options). */
export type Reply = Prompt | { list: Prompt[]; numbered?: boolean };

/** What the resident sent, as the engine sees it (the handler maps channel messages to this). */
export type ConversationInput =
  | { kind: 'text'; text: string; voice?: boolean /** A forwarded article: `text` is its title. */; link?: boolean }
  /** A custom-menu CLICK key. */
  | { kind: 'click'; key: string }
  /** A follow, possibly through a QR poster's scene. */
  | { kind: 'subscribe'; scene?: string }
  /** An existing follower scanned a QR poster. */
  | { kind: 'scan'; scene: string }
  /** Something we cannot read (an image, a voice without recognition, a video, a file…). */
  | { kind: 'unreadable'; what: 'image' | 'voice' | 'video' | 'location' | 'link' | 'other' }
  /** An event that needs no answer (unsubscribe, a template receipt, a menu link…). */
  | { kind: 'silent' };

/** The resident as a conversation needs them (a snapshot; changes go out as effects). */
export interface ResidentSnapshot {
  id: string;
  language: Language;
  registered: boolean;
  subscribeScene?: string;
  registration?: {
    communityCode: string;
    buildingCode?: string;
    unit?: string;
    room?: string;
    householdSize?: number;
    /** The street/community/building names, for summaries. */
    communityName?: string;
    buildingName?: string;
  };
  vulnerable?: string[];
  mobile?: string;
  /** Where the resident stands as a volunteer (absent: never signed up, or turned down). */
  volunteer?: 'pending' | 'approved';
}

/** Texts of every language, for reading an answer typed in either language. */
export interface Texts {
  /** The key's text in every language (empty strings dropped). */
  all(key: string, params?: Record<string, unknown>): string[];
}

export interface ConversationContext {
  now: Date;
  /** The community's IANA time zone (Asia/Shanghai unless configured). */
  timeZone: string;
  resident: ResidentSnapshot;
  /** Data the flows declared they need (`FlowDefinition.needs`), loaded by the caller. */
  facts: Facts;
  texts: Texts;
}

export type Answers = Record<string, unknown>;

/** A parser's verdict: the value, or a hint for re-asking. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; hint: Prompt };

/** Reads one answer. `options` (for choices) are listed under the question. */
export interface Parser<T = unknown> {
  kind: 'choice' | 'multi' | 'number' | 'text' | 'yesno' | 'confirm';
  parse(text: string, ctx: ConversationContext, answers: Answers): Parsed<T>;
  /** The choices to list under the question, when the parser has any. */
  options?(ctx: ConversationContext, answers: Answers): Option[];
  /** How a stored value reads back in a summary (default: String(value)). */
  describe?(value: T, ctx: ConversationContext, answers: Answers): Prompt;
}

/** One option of a choice: its stored value, its label (an i18n key) and extra words it answers to. */
export interface Option {
  value: string;
  label: Prompt;
  /** Words (in any language) that also pick it, besides its number and label. */
  aliases?: string[];
}

export const DONE = '__done__';
export type NextStep = string | typeof DONE;

export interface Step {
  /** Stable id: sessions name it, so it survives deploys (renaming it needs a `migrate` entry). */
  id: string;
  /** The question. */
  ask: Prompt | ((answers: Answers, ctx: ConversationContext) => Prompt);
  /** Short name of the answer, for the summary and "which answer do you want to change?". */
  label?: Prompt;
  /** The explanation `帮助`/`help` gives (default: `<ask key>_help`). */
  help?: Prompt;
  parse: Parser;
  /** Where the answer goes (default: `answers[id]`). */
  save?: (value: unknown, answers: Answers, ctx: ConversationContext) => Answers;
  /** The step after this one: fixed, computed, or (default) the next in the list. */
  next?: NextStep | ((answers: Answers, ctx: ConversationContext) => NextStep);
  /** Asked only when this holds (e.g. not asked again what does not change). */
  when?: (answers: Answers, ctx: ConversationContext) => boolean;
  /** A fact the caller computes for the answer's text before `parse` reads it (`ctx.facts[lookup].query` is the text). */
  lookup?: LookupName;
}

/** What finishing a flow does: records to write and messages to send, as data. */
export interface Outcome {
  effects?: Effect[];
  replies?: Reply[];
  /** A flow to start right after (e.g. the one that asked for registration first). */
  followUp?: string;
  /** Keep some answers for the follow-up flow (e.g. a prefilled community). */
  carry?: Answers;
  /** The flow could not do its job (e.g. no community to register in): the follow-up is dropped too. */
  abandon?: boolean;
}

export interface FlowDefinition {
  id: string;
  /** Bumped when steps change; a session started on another version is carried over by `migrate`. */
  version: number;
  /** The flow's name (for "you were in the middle of …"). */
  title: Prompt;
  /** Residents must be registered first (registration runs, then this flow). */
  requiresRegistration?: boolean;
  /** Facts the caller loads before running this flow. */
  needs?: FactName[];
  /**
   * Runs when the flow starts: answers to prefill, a message to show first, or — for a flow that
   * is just an answer (e.g. a list) — an outcome that ends it at once.
   */
  start?: (ctx: ConversationContext, carried: Answers) => { answers?: Answers; replies?: Reply[]; outcome?: Outcome; at?: string };
  steps: Step[];
  finish(answers: Answers, ctx: ConversationContext): Outcome;
  /**
   * For sessions started on an older version: old step id → step id in this version. Steps whose
   * id did not change need no entry; a session whose step maps to nothing restarts the flow.
   */
  migrate?: Record<number, Record<string, string>>;
}

/** Conversation state between messages (kept in Redis; residents answer hours apart and across deploys). */
export interface ConversationSession {
  flow?: string;
  flowVersion?: number;
  step?: string;
  answers?: Answers;
  /** Steps answered so far, for `返回`/back. */
  history?: string[];
  /** Invalid answers in a row at the current step (the third offers a human). */
  misses?: number;
  /** Changing one answer from the summary: go back to the summary after it. */
  editing?: boolean;
  /** A flow to start when this one finishes (registration first, then the service asked for). */
  followUp?: string;
  /** The idle conversation's "continue or restart?" question is open. */
  resumeOffered?: boolean;
  /** Facts loaded when the flow started (they do not change while it runs). */
  facts?: Facts;
  /** When the session was last saved (ISO); set by the caller. */
  updatedAt?: string;
}

export interface StepResult {
  session: ConversationSession;
  replies: Reply[];
  effects: Effect[];
  /** Facts the caller must load and run the step again with (a flow is starting, or a step's lookup). */
  needFacts?: FactName[];
  /** The text a needed lookup is for (the answer being read; not always the whole message). */
  lookupQuery?: string;
}
