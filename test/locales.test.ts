/**
 * zh-CN and en must stay in step: same namespaces, same keys, no empty strings, and the same
 * `{{variables}}` in each pair of strings. The checker runs on the real `locales/` and on a
 * deliberately broken copy, so we know it can fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCALES_DIR, loadResources, SUPPORTED_LANGUAGES } from '../bot/i18n.js';

/** `{a: {b: 'x'}}` → `{'a.b': 'x'}`; non-string leaves are kept for the checker to report. */
function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

/** The `{{name}}` interpolations of a string (format suffixes like `{{n, number}}` ignored), sorted. */
const variables = (s: string) => [...new Set([...s.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]!))].sort();

/** Every mismatch between the languages under `dir`, as readable lines (empty = consistent). */
function checkLocales(dir: string): string[] {
  const problems: string[] = [];
  const resources = loadResources(dir);
  const [base, ...others] = SUPPORTED_LANGUAGES;
  const namespaces = (lng: string) => Object.keys(resources[lng] ?? {}).sort();
  for (const lng of SUPPORTED_LANGUAGES) {
    for (const ns of namespaces(lng)) {
      for (const [key, value] of flatten(resources[lng]![ns]!)) {
        if (typeof value !== 'string') problems.push(`${lng}/${ns}.json: ${key} is not a string`);
        else if (value.trim() === '') problems.push(`${lng}/${ns}.json: ${key} is empty`);
      }
    }
  }
  for (const lng of others) {
    for (const ns of new Set([...namespaces(base), ...namespaces(lng)])) {
      const a = resources[base]![ns];
      const b = resources[lng]![ns];
      if (!a || !b) {
        problems.push(`namespace ${ns} exists only in ${a ? base : lng}`);
        continue;
      }
      const fa = flatten(a);
      const fb = flatten(b);
      for (const key of fa.keys()) if (!fb.has(key)) problems.push(`${ns}:${key} is missing in ${lng}`);
      for (const key of fb.keys()) if (!fa.has(key)) problems.push(`${ns}:${key} is missing in ${base}`);
      for (const [key, va] of fa) {
        const vb = fb.get(key);
        if (typeof va !== 'string' || typeof vb !== 'string') continue;
        const [xa, xb] = [variables(va), variables(vb)];
        if (xa.join() !== xb.join()) problems.push(`${ns}:${key} interpolates {{${xa.join(', ')}}} in ${base} but {{${xb.join(', ')}}} in ${lng}`);
      }
    }
  }
  return problems;
}

describe('locales', () => {
  it('zh-CN and en have the same namespaces, keys and interpolations, and no empty strings', () => {
    expect(checkLocales(LOCALES_DIR)).toEqual([]);
    expect(Object.keys(loadResources()['zh-CN'] ?? {})).toContain('common');
  });

  describe('the checker', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-locales-'));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** A copy of the real locales with `edit(lng, namespace, json)` applied to each file. */
    function brokenCopy(name: string, edit: (lng: string, ns: string, json: any) => any, extra?: (dir: string) => void): string {
      const dir = path.join(tmp, name);
      for (const lng of SUPPORTED_LANGUAGES) {
        fs.mkdirSync(path.join(dir, lng), { recursive: true });
        for (const file of fs.readdirSync(path.join(LOCALES_DIR, lng)).filter((f) => f.endsWith('.json'))) {
          const json = JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lng, file), 'utf8'));
          const out = edit(lng, path.basename(file, '.json'), json) ?? json;
          fs.writeFileSync(path.join(dir, lng, file), JSON.stringify(out));
        }
      }
      extra?.(dir);
      return dir;
    }

    it('passes an unchanged copy', () => {
      expect(checkLocales(brokenCopy('same', () => undefined))).toEqual([]);
    });

    it('finds a key missing in en, an extra nested key in zh-CN, an empty string, a changed variable and a lone namespace', () => {
      const dir = brokenCopy(
        'broken',
        (lng, ns, json) => {
          if (ns !== 'common') return;
          if (lng === 'en') {
            delete json.menu;
            json.coming_soon = 'Opens soon: {{name}}';
            json.language_switched = '  ';
          } else {
            json.services.extra = '额外';
          }
        },
        (d) => fs.writeFileSync(path.join(d, 'zh-CN', 'only-zh.json'), JSON.stringify({ hello: '你好' })),
      );
      expect(checkLocales(dir).sort()).toEqual(
        [
          'common:menu is missing in en',
          'common:services.extra is missing in en',
          'en/common.json: language_switched is empty',
          'common:coming_soon interpolates {{service}} in zh-CN but {{name}} in en',
          'namespace only-zh exists only in zh-CN',
        ].sort(),
      );
    });

    it('finds a key missing in zh-CN and a non-string value', () => {
      const dir = brokenCopy('reverse', (lng, ns, json) => {
        if (ns === 'common' && lng === 'en') json.bonus = 'Bonus';
        if (ns === 'common' && lng === 'zh-CN') json.welcome = 42;
      });
      expect(checkLocales(dir).sort()).toEqual(['common:bonus is missing in zh-CN', 'zh-CN/common.json: welcome is not a string'].sort());
    });
  });
});
