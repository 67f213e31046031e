import { stemEnglish } from './english.js';
import type { Lexicon } from './lexicon.js';
import { normalizeText } from './normalize.js';
import { segment } from './segmenter.js';
import { EN_STOPWORDS, ZH_STOPWORDS } from './stopwords.js';
import { THESAURUS } from './thesaurus/index.js';

/**
 * Tokens of a text: `c:<concept>` for every thesaurus form it names (either language), `w:<stem>`
 * for other English words, `z:<word>` for other Chinese words. `words` are the raw words, which
 * the index counts into its lexicon.
 */
export interface Analysis {
  tokens: string[];
  words: { en: string[]; zh: string[] };
}

const ASCII_WORD = /^[a-z0-9]+$/;
const MAX_ZH_FORM = 6;

/**
 * Analyse a fact-check's text (no `lexicon`: taken as written) or a resident's query (with the
 * index's `lexicon`: words it does not know are corrected towards one it does, within one edit).
 */
export function analyse(text: string, lexicon?: Lexicon): Analysis {
  const tokens = new Set<string>();
  const words = { en: [] as string[], zh: [] as string[] };
  let stems: string[] = [];
  let unknown: string[] = [];
  const flushEnglish = () => {
    emitEnglish(stems, tokens);
    stems = [];
  };
  const flushUnknown = () => {
    if (unknown.length > 0) repairChinese(unknown, tokens, lexicon!);
    unknown = [];
  };

  for (const piece of segment(normalizeText(text))) {
    if (ASCII_WORD.test(piece)) {
      flushUnknown();
      if (EN_STOPWORDS.has(piece)) continue;
      words.en.push(piece);
      const known = !lexicon || lexicon.hasEn(piece) || THESAURUS.en.has(stemEnglish(piece));
      stems.push(stemEnglish(known ? piece : (lexicon.correctEn(piece) ?? piece)));
      continue;
    }
    flushEnglish();
    const concepts = THESAURUS.zh.get(piece);
    if (concepts) {
      flushUnknown();
      for (const c of concepts) tokens.add(c);
    } else if (ZH_STOPWORDS.has(piece) || !/\p{L}|\p{N}/u.test(piece)) {
      flushUnknown();
    } else if (!lexicon || lexicon.hasZh(piece)) {
      flushUnknown();
      words.zh.push(piece);
      tokens.add(`z:${piece}`);
    } else {
      unknown.push(piece);
    }
  }
  flushEnglish();
  flushUnknown();
  return { tokens: [...tokens], words };
}

export function tokenize(text: string, lexicon?: Lexicon): string[] {
  return analyse(text, lexicon).tokens;
}

/** English stems, longest thesaurus phrase first (`hand dryer` before `hand`). */
function emitEnglish(stems: string[], tokens: Set<string>): void {
  let i = 0;
  while (i < stems.length) {
    let matched = 0;
    for (let len = Math.min(THESAURUS.maxEnLength, stems.length - i); len >= 1 && !matched; len--) {
      const concepts = THESAURUS.en.get(stems.slice(i, i + len).join(' '));
      if (concepts) {
        for (const c of concepts) tokens.add(c);
        matched = len;
      }
    }
    if (!matched) tokens.add(`w:${stems[i]}`);
    i += matched || 1;
  }
}

/**
 * A run of Chinese words neither the thesaurus nor the index knows is usually a typo that jieba
 * cut into pieces (板兰根 → 板/兰根, 口照 → 口/照). Look inside the run for a known word, exactly
 * or with one character changed; a two-character word only across two single characters, so a
 * real word such as 食言 is not "corrected". What stays unexplained is kept as its own tokens.
 */
function repairChinese(pieces: string[], tokens: Set<string>, lexicon: Lexicon): void {
  const chars = pieces.flatMap((p) => [...p]);
  const single = pieces.flatMap((p) => [...p].map(() => [...p].length === 1));
  const covered = chars.map(() => false);
  for (let i = 0; i < chars.length; i++) {
    for (let len = Math.min(MAX_ZH_FORM, chars.length - i); len >= 2; len--) {
      if (len === 2 && !(single[i] && single[i + 1])) continue;
      const span = chars.slice(i, i + len).join('');
      const known = THESAURUS.zh.has(span) || lexicon.hasZh(span) ? span : lexicon.correctZh(span);
      if (!known) continue;
      for (const c of THESAURUS.zh.get(known) ?? [`z:${known}`]) tokens.add(c);
      covered.fill(true, i, i + len);
      i += len - 1;
      break;
    }
  }
  let at = 0;
  for (const p of pieces) {
    const n = [...p].length;
    if (!covered.slice(at, at + n).some(Boolean)) tokens.add(`z:${p}`);
    at += n;
  }
}
