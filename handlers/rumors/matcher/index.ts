/**
 * The rumour-check matcher: a pure, in-memory index of released fact-checks that finds the one
 * a resident's message asks about, in Chinese or English, through typos, traditional
 * characters, full-width text, emoji and forwarding noise. See README, Rumour matcher.
 */
export { RumorIndex, type RankOptions, type RumorIndexOptions } from './rumor-index.js';
export { LinearScanIndex } from './linear-scan.js';
export { DEFAULT_THRESHOLDS, decide, MAX_CANDIDATES } from './thresholds.js';
export { DEFAULT_SCORING, type ScoringParams } from './scoring.js';
export { normalizeText } from './normalize.js';
export { analyse, tokenize } from './tokenize.js';
export type { FactEntry, FactLang, MatchResult, ScoredEntry, Thresholds } from './types.js';
