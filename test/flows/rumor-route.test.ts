/** Which texts sent outside a flow become rumour checks (flows/rumors/route.ts): conservative. */
import { describe, expect, it } from 'vitest';
import { looksLikeClaim, rumorRoute } from '../../flows/rumors/route.js';

describe('rumour checks from text outside a flow', () => {
  it.each([
    ['辟谣喝板蓝根能防新冠吗', '喝板蓝根能防新冠吗'],
    ['辟谣：明天停水', '明天停水'],
    ['谣言 熏醋能杀病毒', '熏醋能杀病毒'],
    ['rumour: 5G spreads covid', '5G spreads covid'],
    ['Rumor check garlic cures covid', 'garlic cures covid'],
    ['fact-check: garlic', 'garlic'],
  ])('the menu word and a claim: %s is checked as asked', (text, claim) => {
    expect(rumorRoute(text)).toEqual({ kind: 'flow', flow: 'rumor-check', answer: claim });
  });

  it('a forwarded article is checked by its title, however short', () => {
    expect(rumorRoute('板蓝根又火了', { kind: 'text', text: '板蓝根又火了', link: true })).toEqual({
      kind: 'flow',
      flow: 'rumor-check',
      answer: '板蓝根又火了',
    });
  });

  it('a long message is checked unprompted (a clear match answered, anything else asked first); short ones are not', () => {
    expect(rumorRoute('转发：明天起全市封城，所有小区不准进出')).toMatchObject({
      answer: '转发：明天起全市封城，所有小区不准进出',
      carried: { unprompted: true },
    });
    expect(rumorRoute('my aunt says vinegar fumes kill the virus')).toMatchObject({ carried: { unprompted: true } });
    for (const short of ['你好', '谢谢你们的工作人员', 'hello there', 'thanks a lot!', '🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏', 'rumour'])
      expect(rumorRoute(short), short).toBeUndefined();
    expect(looksLikeClaim('一二三四五六七八九十')).toBe(true);
    expect(looksLikeClaim('一二三四五六七八九')).toBe(false);
  });
});
