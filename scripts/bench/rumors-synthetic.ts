/**
 * Synthetic fact-checks and queries for the rumour matcher benchmark: claims glued from the
 * thesaurus's forms (so common concepts have long posting lists, the index's hard case) plus one
 * invented name each (the long tail of place and product names a real base has). Seeded, so two
 * runs measure the same data.
 */
import { CONCEPT_ROWS } from '../../handlers/rumors/matcher/thesaurus/index.js';
import type { FactEntry, FactLang } from '../../handlers/rumors/matcher/index.js';

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAN = /\p{Script=Han}/u;
const FORMS: Record<FactLang, string[][]> = {
  'zh-CN': CONCEPT_ROWS.map(([, zh]) => zh.split('|').filter((f) => HAN.test(f))).filter((f) => f.length > 0),
  en: CONCEPT_ROWS.map(([, , en]) => en.split('|').filter((f) => !HAN.test(f))).filter((f) => f.length > 0),
};
const GLUE: Record<FactLang, string[]> = {
  'zh-CN': ['能', '会', '可以', '导致', '和', '让', '就'],
  en: ['can', 'will', 'causes', 'and', 'with', 'makes', 'means'],
};
const ZH_CHARS = '江河湖海山川林森田园桥塔城镇村庄东西南北金银铜铁星月云雷松柏竹梅兰菊华安康宁泰丰';
const EN_SYLLABLES = ['ka', 'zo', 'ri', 'men', 'tal', 'vor', 'bex', 'lu', 'san', 'dri', 'quo', 'pel'];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** An invented name: two or three Han characters, or three English syllables. */
function inventedName(rnd: () => number, lang: FactLang): string {
  if (lang === 'en') return [0, 1, 2].map(() => pick(rnd, EN_SYLLABLES)).join('');
  return [0, 1, 2]
    .slice(0, 2 + Math.floor(rnd() * 2))
    .map(() => pick(rnd, [...ZH_CHARS]))
    .join('');
}

/** A claim of 3–5 concepts and one invented name, glued in the language's way. */
function syntheticClaim(rnd: () => number, lang: FactLang): string {
  const parts = [inventedName(rnd, lang)];
  const n = 3 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) parts.push(pick(rnd, GLUE[lang]), pick(rnd, pick(rnd, FORMS[lang])));
  return parts.join(lang === 'en' ? ' ' : '');
}

export function syntheticEntries(count: number, seed: number): FactEntry[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const lang: FactLang = rnd() < 0.5 ? 'zh-CN' : 'en';
    return { id: `synthetic-${i}`, lang, claim: syntheticClaim(rnd, lang) };
  });
}

/**
 * Queries in three equal parts: `real` (cycled through), entries asked again with a forwarding
 * prefix and one word dropped, and fresh concept soups that mostly match nothing.
 */
export function syntheticQueries(count: number, entries: readonly FactEntry[], real: readonly string[], seed: number): string[] {
  const rnd = random(seed ^ 0x5eed);
  return Array.from({ length: count }, (_, i) => {
    if (i % 3 === 0) return real[(i / 3) % real.length]!;
    if (i % 3 === 2) return syntheticClaim(rnd, rnd() < 0.5 ? 'zh-CN' : 'en');
    const entry = pick(rnd, entries);
    const words = entry.lang === 'en' ? entry.claim.split(' ') : [...entry.claim];
    words.splice(Math.floor(rnd() * words.length), 1);
    return entry.lang === 'en' ? `FW: ${words.join(' ')}` : `转发：${words.join('')}`;
  });
}
