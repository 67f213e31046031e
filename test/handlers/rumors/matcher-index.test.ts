import { describe, expect, it } from 'vitest';
import { decide, type FactEntry, LinearScanIndex, RumorIndex } from '../../../handlers/rumors/matcher/index.js';
import { loadEvalQueries } from '../../../scripts/bench/rumors-quality.js';
import { loadStarterFacts, toFactEntry } from '../../../scripts/data/fact-checks.js';

const loadFactEntries = () => loadStarterFacts().map(toFactEntry);

const HOT_WATER: FactEntry = { id: 'hot-water', lang: 'en', claim: 'Drinking hot water kills the coronavirus' };
const BANLANGEN: FactEntry = { id: 'banlangen', lang: 'zh-CN', claim: '喝板蓝根冲剂可以预防新冠病毒感染', aliases: ['板蓝根能防新冠'] };
const FIVE_G: FactEntry = { id: '5g', lang: 'en', claim: '5G mobile networks spread the coronavirus' };

function indexOf(...entries: FactEntry[]): RumorIndex {
  const index = new RumorIndex();
  for (const e of entries) index.upsert(e);
  return index;
}

describe('RumorIndex', () => {
  it('answers a paraphrase, a typo and the other language', () => {
    const index = indexOf(HOT_WATER, BANLANGEN, FIVE_G);
    expect(index.size).toBe(3);
    expect(index.match('does hot water kill covid?').match?.id).toBe('hot-water');
    expect(index.match('板兰根能预防新冠吗').match?.id).toBe('banlangen');
    expect(index.match('Can isatis root prevent covid infection?', 'en').match?.id).toBe('banlangen');
    expect(index.match('5G网络会传播新冠病毒吗', 'zh-CN').match?.id).toBe('5g');
  });

  it('answers nothing for a near-miss or an unrelated question', () => {
    // Word weights come from the whole base: with only a handful of entries every shared word looks rare.
    const index = indexOf(...loadFactEntries());
    for (const q of ['5G network outage tonight in our area?', '板蓝根哪里能买到', 'how do I register my household', '', '！！！']) {
      expect(index.match(q).match, q).toBeNull();
    }
  });

  it('replaces an entry on upsert and forgets it on remove', () => {
    const index = indexOf(HOT_WATER, FIVE_G);
    index.upsert({ id: 'hot-water', lang: 'en', claim: 'Garlic protects you from the coronavirus' });
    expect(index.size).toBe(2);
    expect(index.match('does hot water kill covid?').match).toBeNull();
    expect(index.match('does eating garlic protect against covid').match?.id).toBe('hot-water');
    expect(index.remove('hot-water')).toBe(true);
    expect(index.remove('hot-water')).toBe(false);
    expect([index.size, index.has('hot-water')]).toEqual([1, false]);
    expect(index.match('does eating garlic protect against covid')).toEqual({ match: null, candidates: [] });
    expect(index.match('5G spreads the coronavirus').match?.id).toBe('5g');
  });

  it('offers candidates without answering between the two thresholds', () => {
    const index = new RumorIndex({ thresholds: { answer: 0.99, suggest: 0.3 } });
    index.upsert(HOT_WATER);
    const result = index.match('does hot water kill covid?');
    expect(result.match).toBeNull();
    expect(result.candidates.map((c) => c.id)).toEqual(['hot-water']);
  });

  it('lets the resident choose between two close candidates', () => {
    const index = indexOf(HOT_WATER, { ...HOT_WATER, id: 'hot-water-2', lang: 'zh-CN', claim: '喝热水能杀死新冠病毒' });
    const result = index.match('does drinking hot water kill the coronavirus', 'en');
    expect(result.match).toBeNull();
    expect(result.candidates.map((c) => c.id)).toEqual(['hot-water', 'hot-water-2']); // same score: the resident's language first
  });

  it('refuses an entry without id or claim, and thresholds out of order', () => {
    const index = new RumorIndex();
    expect(() => index.upsert({ id: '', lang: 'en', claim: 'x' })).toThrow(TypeError);
    expect(() => index.upsert({ id: 'a', lang: 'en', claim: '  ' })).toThrow(TypeError);
    expect(() => new RumorIndex({ thresholds: { answer: 0.4, suggest: 0.5 } })).toThrow(RangeError);
  });

  it('ranks exactly like a linear scan of every entry', () => {
    const index = new RumorIndex();
    const scan = new LinearScanIndex();
    for (const e of loadFactEntries()) index.upsert(e), scan.upsert(e);
    let compared = 0;
    for (const q of loadEvalQueries()) {
      for (const floor of [0.1, 0.45]) {
        expect(index.rank(q.text, { floor, lang: q.lang }), q.text).toEqual(scan.rank(q.text, { floor, lang: q.lang }));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });
});

describe('decide', () => {
  const t = { answer: 0.6, suggest: 0.45, margin: 0.05 };
  it.each([
    [
      [
        { id: 'a', score: 0.9 },
        { id: 'b', score: 0.5 },
      ],
      'a',
      ['a', 'b'],
    ],
    [
      [
        { id: 'a', score: 0.9 },
        { id: 'b', score: 0.87 },
      ],
      null,
      ['a', 'b'],
    ],
    [[{ id: 'a', score: 0.55 }], null, ['a']],
    [
      [
        { id: 'a', score: 0.6 },
        { id: 'b', score: 0.4 },
      ],
      'a',
      ['a'],
    ],
    [[{ id: 'a', score: 0.44 }], null, []],
    [[], null, []],
  ])('%j → match %s, candidates %j', (ranked, match, candidates) => {
    const result = decide(ranked, t);
    expect(result.match?.id ?? null).toBe(match);
    expect(result.candidates.map((c) => c.id)).toEqual(candidates);
  });

  it('offers at most three candidates', () => {
    const ranked = [0.59, 0.58, 0.57, 0.56].map((score, i) => ({ id: `e${i}`, score }));
    expect(decide(ranked, t).candidates).toHaveLength(3);
  });
});
