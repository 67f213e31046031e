/**
 * Replies to text: a prompt is translated with its parameters (a parameter that is itself a
 * prompt, or a list of them, is translated too); a numbered list becomes `1 …` lines. The
 * translator is passed in, so this stays pure and transcripts render exactly as the bot does.
 */
import type { Language, Prompt, Reply } from './types.js';

export type Translate = (key: string, params?: Record<string, unknown>) => string;

const isPrompt = (v: unknown): v is Prompt => !!v && typeof v === 'object' && typeof (v as Prompt).key === 'string';

/** A list parameter with its own separator (summary lines go one per line). */
export interface Joined {
  items: unknown[];
  sep: string;
}
const isJoined = (v: unknown): v is Joined => !!v && typeof v === 'object' && Array.isArray((v as Joined).items) && typeof (v as Joined).sep === 'string';

function param(v: unknown, t: Translate, lang: Language): unknown {
  if (isPrompt(v)) return renderPrompt(v, t, lang);
  if (isJoined(v)) return v.items.map((x) => param(x, t, lang)).join(v.sep);
  if (Array.isArray(v)) return v.map((x) => param(x, t, lang)).join(lang === 'en' ? ', ' : '、');
  return v;
}

export function renderPrompt(p: Prompt, t: Translate, lang: Language, extra: Record<string, unknown> = {}): string {
  const params: Record<string, unknown> = {};
  // An effect's result may itself be a prompt (what a slot claim decided): translated like the rest.
  for (const [k, v] of Object.entries(extra)) params[k] = param(v, t, lang);
  for (const [k, v] of Object.entries(p.params ?? {})) params[k] = param(v, t, lang);
  return t(p.key, params);
}

/**
 * All replies of one turn as one text message (a passive reply carries one message). `extra`
 * are parameters every prompt may use: the results of the turn's effects (a ticket number…).
 */
export function renderReplies(replies: Reply[], t: Translate, lang: Language, extra: Record<string, unknown> = {}): string {
  return replies
    .map((r) =>
      'list' in r
        ? r.list.map((p, i) => (r.numbered === false ? '' : `${i + 1} `) + renderPrompt(p, t, lang, extra)).join('\n')
        : renderPrompt(r, t, lang, extra),
    )
    .filter((x) => x !== '')
    .join('\n');
}
