/**
 * How a query and one text of a fact-check (its claim or an alias) are compared. Each token
 * weighs its inverse document frequency, so 板蓝根 counts for much more than 病毒. The score is
 * a weighted harmonic mean of two coverages: of the entry (how much of the claim the query
 * names) and of the query (how much of the question the claim explains). A near-miss shares a
 * word or two with an entry but leaves most of both sides unexplained, so it scores low on both.
 */
export interface ScoringParams {
  /** Weight of the entry's coverage in the harmonic mean (the query's gets the rest). */
  entryWeight: number;
  /** A query word no fact-check contains weighs this fraction of the rarest word's weight. */
  unknownWeight: number;
  /**
   * Token weight = idf^power. Below 1 it flattens the weights, so the common words that carry a
   * claim's predicate ("kills", "spreads") still count next to its rare topic word.
   */
  idfPower: number;
}

export const DEFAULT_SCORING: ScoringParams = { entryWeight: 0.3, unknownWeight: 0.75, idfPower: 0.5 };

/** A token's weight from BM25's idf (never negative, largest for a token found in one entry). */
export function tokenWeight(df: number, entries: number, p: ScoringParams): number {
  return Math.log(1 + (entries - df + 0.5) / (df + 0.5)) ** p.idfPower;
}

/**
 * The least share of the query a text must cover to reach `floor` even if it covered all of
 * the entry: texts below it are never scored, which is what lets the index skip most entries.
 */
export function minQueryCoverage(floor: number, p: ScoringParams): number {
  if (floor <= 0) return 0;
  return (1 - p.entryWeight) / (1 / floor - p.entryWeight);
}
