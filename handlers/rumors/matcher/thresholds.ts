import type { MatchResult, ScoredEntry, Thresholds } from './types.js';

/**
 * Chosen on the dev split of `test/handlers/rumors/eval/queries.json` (`npm run bench:rumors --
 * --tune`; README, Rumour matcher): `answer` is the lowest score at which no dev query was
 * answered wrongly, `suggest` the highest at which every dev query's fact-check was still offered.
 */
export const DEFAULT_THRESHOLDS: Thresholds = { answer: 0.6, suggest: 0.45, margin: 0.05 };

/** At most this many candidates are offered to a resident. */
export const MAX_CANDIDATES = 3;

/**
 * Turn ranked scores (best first) into the bot's decision: one answer when the best is above
 * `answer` and no other is within `margin` of it; otherwise every entry above `suggest` as a
 * candidate for the resident to choose from; nothing below `suggest`.
 */
export function decide(ranked: readonly ScoredEntry[], t: Thresholds, max = MAX_CANDIDATES): MatchResult {
  const candidates = ranked.filter((r) => r.score >= t.suggest).slice(0, max);
  const [best, second] = candidates;
  const clear = best !== undefined && best.score >= t.answer && !(second && best.score - second.score < t.margin);
  return { match: clear ? best : null, candidates };
}
