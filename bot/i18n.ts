import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../locales');
export const SUPPORTED_LANGUAGES = ['zh-CN', 'en'] as const;

/** Read every `locales/<lng>/<namespace>.json` into an i18next resource object. */
export function loadResources(dir = LOCALES_DIR): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lng of SUPPORTED_LANGUAGES) {
    resources[lng] = {};
    for (const file of fs.readdirSync(path.join(dir, lng)).filter((f) => f.endsWith('.json'))) {
      resources[lng]![path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(dir, lng, file), 'utf8'));
    }
  }
  return resources;
}

/**
 * A private i18next instance (not the global singleton) with zh-CN as the fallback: most
 * residents read Chinese, and a missing English string should still show something useful.
 */
export async function createI18n(): Promise<i18n> {
  const resources = loadResources();
  const instance = i18next.createInstance();
  await instance.init({
    resources,
    lng: 'zh-CN',
    fallbackLng: 'zh-CN',
    supportedLngs: [...SUPPORTED_LANGUAGES],
    ns: Object.keys(resources['zh-CN'] ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // replies are plain text / XML-encoded later, never HTML
    returnNull: false,
  });
  return instance;
}

const fixed = new WeakMap<i18n, Map<string, TFunction>>();

/** A `t` bound to one language, made once per language (not once per message). */
export function translator(i18n: i18n, lng: string): TFunction {
  let byLanguage = fixed.get(i18n);
  if (!byLanguage) fixed.set(i18n, (byLanguage = new Map()));
  let t = byLanguage.get(lng);
  if (!t) byLanguage.set(lng, (t = i18n.getFixedT(lng)));
  return t;
}

/** Every language's text of a key (for reading answers typed in either language). */
export function textsOf(i18n: i18n): { all(key: string, params?: Record<string, unknown>): string[] } {
  const ts = SUPPORTED_LANGUAGES.map((l) => translator(i18n, l));
  const all = (key: string, params?: Record<string, unknown>) => ts.map((t) => t(key, params ?? {})).filter((s) => s && s !== key);
  // Option labels without parameters are read on every answer: translate each once.
  const plain = new Map<string, string[]>();
  return {
    all: (key, params) => {
      if (params) return all(key, params);
      let texts = plain.get(key);
      if (!texts) plain.set(key, (texts = all(key)));
      return texts;
    },
  };
}
