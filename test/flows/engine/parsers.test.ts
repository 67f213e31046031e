import { describe, expect, it } from 'vitest';
import { parseChineseNumber } from '../../../flows/engine/chinese-number.js';
import { commandOf, normalizeInput } from '../../../flows/engine/input.js';
import { choice, confirm, multiChoice, number, temperature, text, yesNo } from '../../../flows/engine/parsers.js';
import { mobile, maskMobile } from '../../../flows/engine/phone.js';
import type { ConversationContext } from '../../../flows/engine/types.js';

const ctx = {
  texts: { all: (key: string) => ({ 'x:food': ['食品', 'Food'], 'x:medicine': ['药品', 'Medicine'], 'x:none': ['以上都没有', 'None of these'] })[key] ?? [] },
} as unknown as ConversationContext;
const value = <T>(r: { ok: boolean; value?: T }) => (r.ok ? r.value : 'HINT');

describe('input as people type it', () => {
  it('folds full-width digits, letters and punctuation and ideographic spaces', () => {
    expect(normalizeInput('　３６．５ ')).toBe('36.5');
    expect(normalizeInput('ＥＮＧＬＩＳＨ')).toBe('ENGLISH');
  });
  it('recognises the words that work anywhere', () => {
    expect(commandOf('取消')).toEqual({ kind: 'cancel' });
    expect(commandOf('Back')).toEqual({ kind: 'back' });
    expect(commandOf('？')).toEqual({ kind: 'menu' });
    expect(commandOf('English')).toEqual({ kind: 'language', language: 'en' });
    expect(commandOf('中文')).toEqual({ kind: 'language', language: 'zh-CN' });
    expect(commandOf('人工')).toEqual({ kind: 'human' });
    expect(commandOf('取消订单吧')).toBeUndefined();
  });
  it.each([
    ['三', 3],
    ['十二', 12],
    ['两', 2],
    ['三十六点五', 36.5],
    ['三十六度五', 36.5],
    ['九十七点七', 97.7],
    ['一百', 100],
    ['三三', undefined],
    ['abc', undefined],
  ])('Chinese number %s → %s', (s, n) => {
    expect(parseChineseNumber(s)).toBe(n);
  });
});

describe('parsers', () => {
  const temp = temperature();
  it.each([
    ['36.5', 36.5],
    ['36.5度', 36.5],
    ['36.5℃', 36.5],
    ['36.5°C', 36.5],
    ['36度5', 36.5],
    ['三十六度五', 36.5],
    ['97.7F', 36.5],
    ['97.7°F', 36.5],
    ['98.6', 37],
    ['３７．３', 37.3],
    ['50', 'HINT'],
    ['-3', 'HINT'],
    ['hot', 'HINT'],
    ['36.5.5', 'HINT'],
    ['', 'HINT'],
  ])('temperature %j → %s', (s, expected) => {
    expect(value(temp.parse(s, ctx, {}))).toBe(expected);
  });

  it('a choice by number, by words in either language, or by the only option the text names', () => {
    const p = choice([
      { value: 'food', label: { key: 'x:food' } },
      { value: 'medicine', label: { key: 'x:medicine' }, aliases: ['药'] },
    ]);
    for (const [s, v] of [
      ['1', 'food'],
      ['２', 'medicine'],
      ['第2个', 'medicine'],
      ['Food', 'food'],
      ['药品', 'medicine'],
      ['我要药品', 'medicine'],
      ['药', 'medicine'],
      ['3', 'HINT'],
      ['0', 'HINT'],
      ['x'.repeat(10_000), 'HINT'],
    ] as const) {
      expect(value(p.parse(s, ctx, {})), s.slice(0, 20)).toBe(v);
    }
  });

  it('several choices separated by commas, spaces, 、 or ，; none alone', () => {
    const p = multiChoice(
      [
        { value: 'a', label: { key: 'x:food' } },
        { value: 'b', label: { key: 'x:medicine' } },
        { value: 'c', label: { key: 'x:c' } },
      ],
      { none: { value: 'none', label: { key: 'x:none' } } },
    );
    for (const [s, v] of [
      ['1,3', ['a', 'c']],
      ['1，3', ['a', 'c']],
      ['1、3', ['a', 'c']],
      ['1 3', ['a', 'c']],
      ['13', ['a', 'c']],
      ['食品和药品', ['a', 'b']],
      ['无', []],
      ['none', []],
      ['4', []],
      ['1,4', 'HINT'],
      ['1,9', 'HINT'],
    ] as const) {
      expect(value(p.parse(s, ctx, {})), s).toEqual(v);
    }
  });

  it('yes/no, confirm, numbers with units, free text, mobiles', () => {
    const yn = yesNo();
    for (const s of ['是', '对', '好', 'yes', 'Y', 'ok', '有']) expect(value(yn.parse(s, ctx, {}))).toBe(true);
    for (const s of ['否', '不', '不是', 'no', 'n', '没有']) expect(value(yn.parse(s, ctx, {}))).toBe(false);
    expect(value(yn.parse('maybe', ctx, {}))).toBe('HINT');
    expect(value(confirm().parse('修改', ctx, {}))).toBe('edit');
    expect(value(confirm().parse('1', ctx, {}))).toBe('submit');
    const size = number({ min: 1, max: 20, integer: true, unit: /(口人|人|people)$/ });
    expect([
      value(size.parse('3人', ctx, {})),
      value(size.parse('三口人', ctx, {})),
      value(size.parse('2 people', ctx, {})),
      value(size.parse('21', ctx, {})),
      value(size.parse('2.5', ctx, {})),
    ]).toEqual([3, 3, 2, 'HINT', 'HINT']);
    const t = text({ max: 10, min: 2 });
    expect([
      value(t.parse(' 大米，两袋 ', ctx, {})),
      value(t.parse('😀😀', ctx, {})),
      value(t.parse('a', ctx, {})),
      value(t.parse('x'.repeat(11), ctx, {})),
    ]).toEqual(['大米，两袋', 'HINT', 'HINT', 'HINT']);
    const m = mobile({ optional: true });
    expect([
      value(m.parse('138 1234 5678', ctx, {})),
      value(m.parse('+1 202 555 0143', ctx, {})),
      value(m.parse('010-12345678', ctx, {})),
      value(m.parse('12345', ctx, {})),
      value(m.parse('跳过', ctx, {})),
    ]).toEqual(['+8613812345678', '+12025550143', 'HINT', 'HINT', '']);
    expect(maskMobile('+8613812345678')).toBe('138****5678');
  });
});
