import { THESAURUS } from './thesaurus/index.js';

/**
 * The words typo repair may correct a query towards: the thesaurus's, plus those of the indexed
 * fact-checks (reference-counted, so removing an entry forgets its words). English words are
 * found within one edit (a letter dropped, added, changed, or two swapped) through their
 * one-deletion variants; Chinese words within one changed character through masked variants
 * (板*根), the usual slip of a pinyin keyboard.
 */
export class Lexicon {
  private readonly en = new Map<string, number>();
  private readonly enNear = new Map<string, Set<string>>();
  private readonly zh = new Map<string, number>();
  private readonly zhNear = new Map<string, Set<string>>();

  constructor() {
    for (const w of THESAURUS.enWords) this.update({ en: [w], zh: [] }, 1);
    for (const w of THESAURUS.zh.keys()) this.update({ en: [], zh: [w] }, 1);
  }

  hasEn(word: string): boolean {
    return this.en.has(word);
  }

  hasZh(word: string): boolean {
    return this.zh.has(word);
  }

  /** Count the words of one indexed text in (`delta` 1) or out (`delta` -1). */
  update(words: { en: string[]; zh: string[] }, delta: 1 | -1): void {
    for (const w of words.en) count(this.en, this.enNear, w, () => [w, ...deletions(w)], delta);
    for (const w of words.zh) if ([...w].length >= 2) count(this.zh, this.zhNear, w, () => masks([...w]), delta);
  }

  /**
   * A known word one edit away from `word` with the same first letter (length ≥ 5; a 4-letter
   * word only by a dropped letter, since short words are too often another real word: "tasks"
   * must not become "masks"). The most frequent wins; undefined when nothing is near.
   */
  correctEn(word: string): string | undefined {
    if (word.length < 4 || /\d/.test(word)) return undefined;
    let best: string | undefined;
    for (const key of [word, ...deletions(word)]) {
      for (const w of this.enNear.get(key) ?? []) {
        if (w === word || w[0] !== word[0] || (word.length === 4 && w.length !== 5) || !withinOneEdit(word, w)) continue;
        const [n, m] = [this.en.get(w)!, best ? this.en.get(best)! : 0];
        if (!best || n > m || (n === m && w < best)) best = w;
      }
    }
    return best;
  }

  /** The one known Chinese word that differs from `span` in exactly one character, if only one does. */
  correctZh(span: string): string | undefined {
    const found = new Set<string>();
    for (const key of masks([...span])) for (const w of this.zhNear.get(key) ?? []) if (w !== span) found.add(w);
    return found.size === 1 ? [...found][0] : undefined;
  }
}

/** Reference-count `word`; link it under its near-keys when it first appears, unlink when it goes. */
function count(counts: Map<string, number>, near: Map<string, Set<string>>, word: string, keys: () => string[], delta: number): void {
  const before = counts.get(word) ?? 0;
  const after = before + delta;
  if (after > 0) counts.set(word, after);
  else counts.delete(word);
  if (before === 0 && after > 0) {
    for (const k of keys()) {
      let set = near.get(k);
      if (!set) near.set(k, (set = new Set()));
      set.add(word);
    }
  } else if (before > 0 && after <= 0) {
    for (const k of keys()) {
      const set = near.get(k);
      set?.delete(word);
      if (set?.size === 0) near.delete(k);
    }
  }
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

function masks(chars: string[]): string[] {
  return chars.map((_, i) => chars.map((c, j) => (i === j ? '*' : c)).join(''));
}

/** Optimal string alignment distance ≤ 1 (an adjacent swap counts as one edit). */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
