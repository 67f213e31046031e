/** One searchable text of an entry: its claim or one alias. */
export interface IndexedText {
  readonly entryId: string;
  readonly tokens: readonly string[];
  readonly has: ReadonlySet<string>;
  /** Dense number of the text, for the scratch array. */
  slot: number;
  /** Sum of its tokens' weights, valid while `normGeneration` is the index's generation. */
  norm: number;
  normGeneration: number;
}

/**
 * Token → the texts holding it, and the accumulation a query runs over them. Texts get dense
 * slot numbers so shared weight is summed in a typed array, not a hash map.
 */
export class PostingLists {
  private readonly lists = new Map<string, Set<IndexedText>>();
  private readonly slots: (IndexedText | undefined)[] = [];
  private readonly free: number[] = [];
  private scratch = new Float64Array(1024);

  add(text: IndexedText): void {
    text.slot = this.free.pop() ?? this.slots.length;
    this.slots[text.slot] = text;
    if (text.slot >= this.scratch.length) {
      const grown = new Float64Array(this.scratch.length * 2);
      grown.set(this.scratch);
      this.scratch = grown;
    }
    for (const t of text.tokens) {
      let list = this.lists.get(t);
      if (!list) this.lists.set(t, (list = new Set()));
      list.add(text);
    }
  }

  delete(text: IndexedText): void {
    for (const t of text.tokens) {
      const list = this.lists.get(t)!;
      list.delete(text);
      if (list.size === 0) this.lists.delete(t);
    }
    this.slots[text.slot] = undefined;
    this.free.push(text.slot);
  }

  /**
   * The texts holding at least one of `tokens[i]` for i in `essential`, each with the weight it
   * shares of those, kept when `keep(text, shared)` says it may still reach the floor.
   */
  gather(
    tokens: readonly string[],
    weights: readonly number[],
    essential: readonly number[],
    keep: (t: IndexedText, shared: number) => boolean,
  ): IndexedText[] {
    const touched: number[] = [];
    for (const i of essential) {
      for (const text of this.lists.get(tokens[i]!) ?? []) {
        if (this.scratch[text.slot] === 0) touched.push(text.slot);
        this.scratch[text.slot]! += weights[i]!;
      }
    }
    const out: IndexedText[] = [];
    for (const slot of touched) {
      const text = this.slots[slot]!;
      if (keep(text, this.scratch[slot]!)) out.push(text);
      this.scratch[slot] = 0;
    }
    return out;
  }
}
