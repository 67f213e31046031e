import { Lexicon } from './lexicon.js';
import { type IndexedText, PostingLists } from './postings.js';
import { DEFAULT_SCORING, minQueryCoverage, type ScoringParams, tokenWeight } from './scoring.js';
import { decide, DEFAULT_THRESHOLDS } from './thresholds.js';
import { analyse, tokenize } from './tokenize.js';
import type { FactEntry, FactLang, MatchResult, ScoredEntry, Thresholds } from './types.js';

export type { IndexedText } from './postings.js';

interface Stored {
  lang: FactLang;
  texts: IndexedText[];
  tokens: Set<string>;
  words: { en: string[]; zh: string[] }[];
}

export interface RumorIndexOptions {
  thresholds?: Partial<Thresholds>;
  scoring?: Partial<ScoringParams>;
}

export interface RankOptions {
  /** Entries scoring below this are not returned (default: the `suggest` threshold). */
  floor?: number;
  /** At most this many (default 10). */
  limit?: number;
  /** The resident's language: breaks exact ties in favour of a fact-check written in it. */
  lang?: FactLang;
}

/**
 * The in-memory rumour index: released fact-checks in, a resident's text → the fact-check it
 * asks about. Pure (no I/O); the caller fills it from the database at start and upserts or
 * removes an entry when one is released, edited or withdrawn. An inverted index (token → texts)
 * means a query only scores the texts that share a heavy enough token with it.
 */
export class RumorIndex {
  readonly thresholds: Thresholds;
  protected readonly scoring: ScoringParams;
  protected readonly entries = new Map<string, Stored>();
  protected readonly df = new Map<string, number>();
  protected readonly lexicon = new Lexicon();
  private readonly postings = new PostingLists();
  /** Bumped by every change: token weights, hence cached text norms, depend on the whole base. */
  private generation = 0;

  constructor(options: RumorIndexOptions = {}) {
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    this.scoring = { ...DEFAULT_SCORING, ...options.scoring };
    if (!(this.thresholds.suggest > 0 && this.thresholds.suggest <= this.thresholds.answer && this.thresholds.answer <= 1)) {
      throw new RangeError('thresholds must satisfy 0 < suggest ≤ answer ≤ 1');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Add an entry, or replace the one with the same id. Throws on an empty id or claim. */
  upsert(entry: FactEntry): void {
    if (!entry.id || !entry.claim?.trim()) throw new TypeError('a fact-check needs an id and a claim');
    this.remove(entry.id);
    const stored: Stored = { lang: entry.lang, texts: [], tokens: new Set(), words: [] };
    for (const text of [entry.claim, ...(entry.aliases ?? [])]) {
      const a = analyse(text);
      if (a.tokens.length === 0) continue;
      const indexed: IndexedText = { entryId: entry.id, tokens: a.tokens, has: new Set(a.tokens), slot: -1, norm: 0, normGeneration: -1 };
      this.postings.add(indexed);
      this.lexicon.update(a.words, 1);
      stored.texts.push(indexed);
      stored.words.push(a.words);
      for (const t of a.tokens) stored.tokens.add(t);
    }
    for (const t of stored.tokens) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.entries.set(entry.id, stored);
    this.generation++;
  }

  /** Forget an entry; false when there was none. */
  remove(id: string): boolean {
    const stored = this.entries.get(id);
    if (!stored) return false;
    for (const indexed of stored.texts) this.postings.delete(indexed);
    for (const t of stored.tokens) {
      const n = this.df.get(t)! - 1;
      if (n > 0) this.df.set(t, n);
      else this.df.delete(t);
    }
    for (const w of stored.words) this.lexicon.update(w, -1);
    this.entries.delete(id);
    this.generation++;
    return true;
  }

  /** The decision for a resident's text: an answer, candidates to choose from, or nothing. */
  match(text: string, lang?: FactLang): MatchResult {
    return decide(this.rank(text, { lang }), this.thresholds);
  }

  /**
   * Entries by score, best first, down to `floor`. A text's score is overlap / (a·E + (1−a)·Q)
   * — the weighted harmonic mean of its coverage and the query's (see scoring.ts) — where E and
   * Q are the text's and the query's total weights and a the entry weight.
   */
  rank(text: string, options: RankOptions = {}): ScoredEntry[] {
    const floor = options.floor ?? this.thresholds.suggest;
    const tokens = tokenize(text, this.lexicon);
    const n = this.entries.size;
    const weights = tokens.map((t) => tokenWeight(this.df.get(t) ?? 0, n, this.scoring) * (this.df.has(t) ? 1 : this.scoring.unknownWeight));
    const queryNorm = weights.reduce((x, y) => x + y, 0);
    if (queryNorm === 0 || n === 0) return [];
    const a = this.scoring.entryWeight;
    // The overlap a text needs to reach the floor; a hair lower so rounding never drops a text a scan would keep.
    const needed = (t: IndexedText) => floor * (a * this.norm(t, n) + (1 - a) * queryNorm) * (1 - 1e-9);
    const best = new Map<string, number>();
    for (const indexed of this.candidates(tokens, weights, minQueryCoverage(floor, this.scoring) * queryNorm * (1 - 1e-9), (t, upper) => upper >= needed(t))) {
      let overlap = 0;
      for (let i = 0; i < tokens.length; i++) if (indexed.has.has(tokens[i]!)) overlap += weights[i]!;
      if (overlap === 0 || overlap < needed(indexed)) continue;
      const score = overlap / (a * this.norm(indexed, n) + (1 - a) * queryNorm);
      if (score > (best.get(indexed.entryId) ?? -1)) best.set(indexed.entryId, score);
    }
    const same = (id: string) => (this.entries.get(id)!.lang === options.lang ? 0 : 1);
    return [...best]
      .map(([id, score]) => ({ id, score }))
      .sort((x, y) => y.score - x.score || same(x.id) - same(y.id) || (x.id < y.id ? -1 : 1))
      .slice(0, options.limit ?? 10);
  }

  /**
   * The texts worth scoring (MaxScore pruning). Query tokens are taken from the lightest up
   * while their weights together stay under `minOverlap`: a text holding only those cannot reach
   * the floor, so only the heavier tokens' postings are read; a text found there is kept if what
   * it shares of them plus every light token could still give it the overlap it needs.
   */
  protected candidates(
    tokens: readonly string[],
    weights: readonly number[],
    minOverlap: number,
    mayReach: (t: IndexedText, upperOverlap: number) => boolean,
  ): Iterable<IndexedText> {
    const order = tokens.map((_, i) => i).sort((x, y) => weights[x]! - weights[y]!);
    let light = 0;
    let k = 0;
    while (k < order.length && light + weights[order[k]!]! < minOverlap) light += weights[order[k++]!]!;
    return this.postings.gather(tokens, weights, order.slice(k), (t, shared) => mayReach(t, shared + light));
  }

  /** A text's total token weight, cached until the index next changes. */
  private norm(t: IndexedText, n: number): number {
    if (t.normGeneration !== this.generation) {
      t.norm = t.tokens.reduce((sum, tok) => sum + tokenWeight(this.df.get(tok)!, n, this.scoring), 0);
      t.normGeneration = this.generation;
    }
    return t.norm;
  }
}
