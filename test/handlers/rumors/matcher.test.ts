import { describe, expect, it } from 'vitest';
import { stemEnglish } from '../../../handlers/rumors/matcher/english.js';
import { Lexicon, withinOneEdit } from '../../../handlers/rumors/matcher/lexicon.js';
import { normalizeText, tokenize } from '../../../handlers/rumors/matcher/index.js';
import { CONCEPT_ROWS, compileThesaurus } from '../../../handlers/rumors/matcher/thesaurus/index.js';

describe('normalizeText', () => {
  it.each([
    ['ＶＩＴＡＭＩＮ　Ｃ　ＣＵＲＥＳ！！', 'vitamin c cures'],
    ['８４消毒液（每天３次）', '84消毒液 每天3次'],
    ['喝板藍根沖劑可以預防新冠病毒嗎', '喝板蓝根冲剂可以预防新冠病毒吗'],
    ['在家裡燻醋', '在家里熏醋'],
    ['😱😱板蓝根能防新冠！！🙏🏽', '板蓝根能防新冠'],
    ['‼️明天封城‼️', '明天封城'],
    ["Don't panic: it's 5G", 'dont panic its 5g'],
  ])('%j → %j', (raw, clean) => {
    expect(normalizeText(raw)).toBe(clean);
  });

  it.each([
    ['转发：【紧急通知】熏醋可以杀死病毒，请大家转发给家人！！', '熏醋可以杀死病毒'],
    ['我姨妈发来的：海盐不能吃，赶紧去抢盐！速看!!!', '海盐不能吃 赶紧去抢盐'],
    ['【转】内部消息：明天全市封城，不转不是中国人', '明天全市封城'],
    ['朋友圈看到的，说打疫苗会不孕，真的假的', '说打疫苗会不孕'],
    ['楼里邻居说的，上门消毒要收钱', '上门消毒要收钱'],
    ['FW: Fwd: Drink hot water. Please share with everyone!', 'drink hot water'],
    ['my aunt sent this: "5G towers spread the virus" is it true?', '5g towers spread the virus'],
    ['Forwarded from the building group: pay the fee', 'pay the fee'],
    ['URGENT!!! Pass it on: supermarkets close', 'supermarkets close'],
  ])('cuts forwarding noise: %j', (raw, clean) => {
    expect(normalizeText(raw)).toBe(clean);
  });

  it('keeps claims that merely contain a colon or the words of a plea', () => {
    expect(normalizeText('Hot water: it kills the virus')).toBe('hot water it kills the virus');
    expect(normalizeText('转发到10个群，就能领补贴')).toBe('转发到10个群 就能领补贴');
    expect(normalizeText('病毒会在空气中扩散')).toBe('病毒会在空气中扩散');
  });

  it('is idempotent', () => {
    for (const t of ['转发：熏醋可以杀死病毒！', 'FW: 5G spreads covid 🦠']) expect(normalizeText(normalizeText(t))).toBe(normalizeText(t));
  });
});

describe('tokenize', () => {
  const concepts = (text: string, lexicon?: Lexicon) => tokenize(text, lexicon).filter((t) => t.startsWith('c:'));

  it('maps both languages onto the same concepts', () => {
    expect(concepts('板蓝根能预防新冠吗').sort()).toEqual(concepts('Can isatis root prevent covid?').sort());
    expect(concepts('蚊子叮咬')).toEqual(expect.arrayContaining(concepts('mosquito bites')));
    expect(concepts('烘手机')).toEqual(['c:hand-dryer']);
  });

  it('adds broader concepts and prefers the longest English phrase', () => {
    expect(concepts('iodized salt')).toEqual(['c:iodized-salt', 'c:salt', 'c:iodine']);
    expect(concepts('hand dryers')).toEqual(['c:hand-dryer']);
  });

  it('folds English inflections and drops stopwords and negations', () => {
    expect(tokenize('spreading')).toEqual(tokenize('spreads'));
    expect(tokenize('Does hot water not kill the virus?')).toEqual(tokenize('hot water kills virus'));
    expect(tokenize('你好吗')).toEqual([]);
    expect(['cures', 'cured', 'curing'].map(stemEnglish)).toEqual(['cur', 'cur', 'cur']);
    expect(['viruses', 'mosquitoes', 'stopped', 'virus'].map(stemEnglish)).toEqual(['virus', 'mosquito', 'stop', 'virus']);
  });

  it('keeps words the thesaurus does not know as their own tokens', () => {
    expect(tokenize('formula bottle')).toEqual(['w:formula', 'w:bottl']);
    expect(tokenize('物业电话')).toEqual(['z:物业', 'c:phone']);
  });

  it('repairs typos only with a lexicon, and only within one edit', () => {
    const lexicon = new Lexicon();
    expect(concepts('板兰根', lexicon)).toContain('c:banlangen');
    expect(concepts('戴口照', lexicon)).toContain('c:mask');
    expect(concepts('打疫描', lexicon)).toContain('c:vaccine');
    expect(concepts('抗元检测', lexicon)).toEqual(['c:test']); // 抗原 or 单元: too close to call
    expect(concepts('coronavirs garlick', lexicon)).toEqual(['c:covid', 'c:virus', 'c:garlic']);
    expect(concepts('板兰根')).not.toContain('c:banlangen');
    expect(concepts('coronavrs', lexicon)).toEqual([]); // two edits away
    expect(concepts('volunteer tasks', lexicon)).toEqual([]); // not "masks": typos keep the first letter
    expect(concepts('食言', lexicon)).toEqual([]); // a real word, not a typo of 食盐
  });

  it('corrects towards the indexed words and forgets them when they go', () => {
    const lexicon = new Lexicon();
    expect(lexicon.correctEn('fluvoxamin')).toBeUndefined();
    lexicon.update({ en: ['fluvoxamine'], zh: ['连花清瘟'] }, 1);
    expect(lexicon.correctEn('fluvoxamin')).toBe('fluvoxamine');
    expect(lexicon.correctZh('莲花清瘟')).toBe('连花清瘟');
    lexicon.update({ en: ['fluvoxamine'], zh: ['连花清瘟'] }, -1);
    expect(lexicon.correctEn('fluvoxamin')).toBeUndefined();
    expect(lexicon.correctZh('莲花清瘟')).toBeUndefined();
  });

  it('measures one edit, a swap included', () => {
    expect([withinOneEdit('vacine', 'vaccine'), withinOneEdit('vcaicne', 'vaccine'), withinOneEdit('vaccien', 'vaccine')]).toEqual([true, false, true]);
    expect([withinOneEdit('mask', 'task'), withinOneEdit('masks', 'mask'), withinOneEdit('ab', 'abcd')]).toEqual([true, true, false]);
  });
});

describe('thesaurus', () => {
  it('refuses a broader concept that does not exist', () => {
    expect(() => compileThesaurus([['a', '甲', 'alpha', 'nope']])).toThrow(/unknown broader concept nope/);
    expect(() => compileThesaurus([['a', '甲', 'the']])).toThrow(/only stopwords/);
  });

  it('writes every form as normalised text, so it can match at all', () => {
    const forms = CONCEPT_ROWS.flatMap(([, zh, en]) => `${zh}|${en}`.split('|'));
    expect(forms.filter((f) => normalizeText(f) !== f)).toEqual([]);
    expect(new Set(CONCEPT_ROWS.map(([id]) => id)).size).toBe(CONCEPT_ROWS.length);
  });
});
