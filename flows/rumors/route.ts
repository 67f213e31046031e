/**
 * Which texts sent outside any flow are rumour checks. Deliberately conservative:
 *  - `辟谣 <text>` / `rumour: <text>` (the menu word, then the claim): checked, as asked;
 *  - a forwarded article (its title): checked — forwarding it to the service account is the ask;
 *  - a long message that is no menu word (≥ 10 Chinese characters or ≥ 6 English words, like a
 *    pasted rumour): checked `unprompted` — a clear match is answered, anything else first asks
 *    "do you want this checked?", so nobody opens a claim without meaning to.
 * Shorter unknown texts still get "not understood" and the menu.
 */
import type { Route } from '../engine/engine.js';
import { normalizeInput, stripEmoji } from '../engine/input.js';
import type { ConversationInput } from '../engine/types.js';
import { RUMOR_FLOW } from './check.js';

/** The menu word, then the claim: Chinese needs no separator, English a space or a colon. */
const ASKED = [/^(?:辟谣|谣言|查谣言|谣言查询|辟谣查询|核实)\s*[:：,，]?\s*(.+)$/s, /^(?:rumou?r(?: check)?|fact[- ]?check)(?:\s*[:,]\s*|\s+)(.+)$/is];

const HAN = /\p{Script=Han}/gu;
const WORD = /[A-Za-z]+(?:'[A-Za-z]+)?/g;

/** A message long enough to be a claim someone pasted, not a command or a short question. */
export function looksLikeClaim(text: string): boolean {
  const t = stripEmoji(text);
  return (t.match(HAN)?.length ?? 0) >= 10 || (t.match(WORD)?.length ?? 0) >= 6;
}

export function rumorRoute(text: string, input?: Extract<ConversationInput, { kind: 'text' }>): Route | undefined {
  const t = normalizeInput(text);
  const asked = ASKED.map((re) => re.exec(t)?.[1]?.trim()).find(Boolean);
  if (asked) return { kind: 'flow', flow: RUMOR_FLOW, answer: asked };
  if (input?.link) return { kind: 'flow', flow: RUMOR_FLOW, answer: text };
  if (looksLikeClaim(text)) return { kind: 'flow', flow: RUMOR_FLOW, answer: text, carried: { unprompted: true } };
  return undefined;
}
