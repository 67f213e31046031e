import { EN_STOPWORDS } from '../stopwords.js';
import { stemEnglish } from '../english.js';
import { CRISIS } from './crisis.js';
import { EVERYDAY } from './everyday.js';
import { HEALTH } from './health.js';
import type { ConceptRow } from './types.js';

export type { ConceptRow } from './types.js';

/** The project's bilingual domain thesaurus, compiled for lookup. */
export interface Thesaurus {
  /** Chinese (or mixed, e.g. `t线`) form → concept tokens, the broader ones included. */
  zh: Map<string, string[]>;
  /** English form as its stems without stopwords, space-joined (`hand dryer`) → concept tokens. */
  en: Map<string, string[]>;
  /** Longest English form, in stems. */
  maxEnLength: number;
  /** Every English word (unstemmed) used in a form: typo repair corrects towards these. */
  enWords: Set<string>;
}

export const CONCEPT_ROWS: readonly ConceptRow[] = [...HEALTH, ...CRISIS, ...EVERYDAY];

const HAS_CJK = /\p{Script=Han}/u;

/** Concept tokens for `id` and, transitively, its broader concepts. */
function closure(id: string, broader: Map<string, string[]>, seen = new Set<string>()): string[] {
  if (seen.has(id)) return [];
  seen.add(id);
  return [`c:${id}`, ...(broader.get(id) ?? []).flatMap((b) => closure(b, broader, seen))];
}

/** Compile concept rows; throws on a broader id that names no concept (a typo in the data). */
export function compileThesaurus(rows: readonly ConceptRow[]): Thesaurus {
  const broader = new Map(rows.map(([id, , , b]) => [id, b ? b.split(' ') : []]));
  for (const [id, parents] of broader) {
    for (const p of parents) if (!broader.has(p)) throw new Error(`thesaurus: ${id} names unknown broader concept ${p}`);
  }
  const t: Thesaurus = { zh: new Map(), en: new Map(), maxEnLength: 1, enWords: new Set() };
  const add = (map: Map<string, string[]>, key: string, tokens: string[]) => map.set(key, [...new Set([...(map.get(key) ?? []), ...tokens])]);
  for (const [id, zh, en] of rows) {
    const tokens = closure(id, broader);
    for (const form of `${zh}|${en}`.split('|').filter(Boolean)) {
      if (HAS_CJK.test(form)) {
        add(t.zh, form, tokens);
        continue;
      }
      const words = form.split(' ').filter((w) => w && !EN_STOPWORDS.has(w));
      if (words.length === 0) throw new Error(`thesaurus: ${id} form "${form}" is only stopwords`);
      for (const w of words) t.enWords.add(w);
      add(t.en, words.map(stemEnglish).join(' '), tokens);
      t.maxEnLength = Math.max(t.maxEnLength, words.length);
    }
  }
  return t;
}

export const THESAURUS: Thesaurus = compileThesaurus(CONCEPT_ROWS);
