import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { intentOfClick, intentOfText, normalizeText, SERVICES } from '../../flows/menu.js';

describe('menu intents', () => {
  it.each([
    ['1', 'health'],
    ['１', 'health'],
    [' 健康上报 ', 'health'],
    ['Health report', 'health'],
    ['2', 'supplies'],
    ['物资', 'supplies'],
    ['SUPPLIES', 'supplies'],
    ['3', 'volunteer'],
    ['志愿者', 'volunteer'],
    ['4', 'rumor'],
    ['辟谣', 'rumor'],
    ['rumour check', 'rumor'],
    ['rumor', 'rumor'],
    ['5', 'account'],
    ['我的', 'account'],
    ['my account', 'account'],
    ['6', 'returnee'],
    ['返回登记', 'returnee'],
    ["I'm back", 'returnee'],
    ['I’m back', 'returnee'],
    ['7', 'booking'],
    ['预约', 'booking'],
    ['Book', 'booking'],
  ])('%j → service %s', (text, service) => {
    expect(intentOfText(text)).toEqual({ kind: 'service', service });
  });

  it('switches language with English/中文 and shows the menu for help in either language', () => {
    expect(intentOfText('English')).toEqual({ kind: 'language', language: 'en' });
    expect(intentOfText('中文')).toEqual({ kind: 'language', language: 'zh-CN' });
    for (const t of ['帮助', '菜单', 'help', 'MENU', '？', '?']) expect(intentOfText(t)).toEqual({ kind: 'menu' });
  });

  it('anything else is unknown, not a guess', () => {
    for (const t of ['12', '你好', '8', '1 2', '', '返回 登记']) expect(intentOfText(t)).toEqual({ kind: 'unknown' });
  });

  it('folds full-width digits and ideographic spaces', () => {
    expect(normalizeText('\u3000２３\u3000')).toBe('23');
  });

  it('every CLICK key of the pushed custom menu (scripts/menu.json) opens a service', () => {
    const menu = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../scripts/menu.json'), 'utf8')) as {
      button: Array<{ key?: string; sub_button?: Array<{ key?: string }> }>;
    };
    const keys = menu.button.flatMap((b) => (b.sub_button ? b.sub_button.map((s) => s.key) : [b.key])).filter(Boolean) as string[];
    const services = keys.map((k) => intentOfClick(k));
    expect(services.every((i) => i.kind === 'service')).toBe(true);
    expect(new Set(services.map((i) => (i.kind === 'service' ? i.service : ''))).size).toBe(SERVICES.length);
    expect(intentOfClick('NO_SUCH_KEY')).toEqual({ kind: 'menu' });
  });
});
