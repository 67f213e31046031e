/**
 * A released fact-check as the resident reads it — in chat, and in the message that tells askers
 * and earlier readers — as one prompt. Pure.
 */
import type { Language, Prompt } from '../engine/types.js';

export type Verdict = 'false' | 'misleading' | 'true' | 'unproven';

/** A released fact-check as residents are told it (its latest release). */
export interface FactCheckCard {
  id: string;
  /** The audit version of the release it shows. */
  version: number;
  lang: Language;
  claim: string;
  verdict: Verdict;
  explanation: string;
  /** Who says so; empty when no source is named. */
  source: string;
}

export interface ScoredCard extends FactCheckCard {
  score: number;
}

/** The matcher's decision with the cards: an answer, candidates to choose from, or nothing. */
export interface RumorCheck {
  match: ScoredCard | null;
  candidates: ScoredCard[];
}

/** Verdict, claim, explanation and source; a note when the fact-check is in the other language. */
export function cardPrompt(card: FactCheckCard, reader?: Language): Prompt {
  return {
    key: card.source ? 'rumors:card' : 'rumors:card_no_source',
    params: {
      verdict: { key: `rumors:verdict.${card.verdict}` },
      claim: card.claim,
      explanation: card.explanation,
      source: card.source,
      note: reader && reader !== card.lang ? { key: 'rumors:other_language' } : '',
    },
  };
}
