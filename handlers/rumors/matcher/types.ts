/** Languages a fact-check is written in (the resident's languages). */
export type FactLang = 'zh-CN' | 'en';

/** What the matcher needs of a released fact-check: its id, language, claim and optional paraphrases. */
export interface FactEntry {
  id: string;
  lang: FactLang;
  claim: string;
  /** Other wordings of the same claim (same language as a rule); each is matched on its own. */
  aliases?: string[];
}

export interface ScoredEntry {
  id: string;
  /** 0…1: how much of the entry the text covers and how much of the text the entry explains. */
  score: number;
}

/**
 * `match`: the one entry the bot may answer with (null when nothing is sure enough or two are
 * too close to tell); `candidates`: entries worth showing the resident to choose from (and staff
 * as a suggestion), best first, the match included.
 */
export interface MatchResult {
  match: ScoredEntry | null;
  candidates: ScoredEntry[];
}

export interface Thresholds {
  /** At or above: answered (unless a second candidate is within `margin`). */
  answer: number;
  /** At or above (and below `answer`): shown as a candidate only. */
  suggest: number;
  /** Two candidates whose scores differ by less than this are too close for one answer. */
  margin: number;
}
