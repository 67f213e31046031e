import { type IndexedText, RumorIndex } from './rumor-index.js';

/**
 * The baseline the benchmark measures the index against: the same tokens and the same scoring,
 * but every text of every entry is scored for every query. Also a check on the index: both must
 * rank alike.
 */
export class LinearScanIndex extends RumorIndex {
  protected override *candidates(): Iterable<IndexedText> {
    for (const stored of this.entries.values()) yield* stored.texts;
  }
}
