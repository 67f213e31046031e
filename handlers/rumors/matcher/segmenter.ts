import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { THESAURUS } from './thesaurus/index.js';

// Loaded once per process (about 150 ms): jieba's bundled dictionary plus every Chinese form of
// the thesaurus, so 熏醋 or 洁厕灵 come out as one word instead of characters.
const jieba = Jieba.withDict(dict);
jieba.loadDict(Buffer.from([...THESAURUS.zh.keys()].map((w) => `${w} 20000`).join('\n')));

/**
 * Cut normalised text into words (spaces dropped). Without jieba's HMM guesses, text it does not
 * know — usually a typo — stays as single characters, which is what typo repair looks for.
 */
export function segment(normalised: string): string[] {
  return jieba.cut(normalised, false).filter((w) => w.trim() !== '');
}
