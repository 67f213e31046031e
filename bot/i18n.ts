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

/** A `t` bound to one language. */
export function translator(i18n: i18n, lng: string): TFunction {
  return i18n.getFixedT(lng);
}

/** Every language's text of a key (for reading answers typed in either language). */
export function textsOf(i18n: i18n): { all(key: string, params?: Record<string, unknown>): string[] } {
  return { all: (key, params) => SUPPORTED_LANGUAGES.map((l) => i18n.getFixedT(l)(key, params ?? {})).filter((s) => s && s !== key) };
}
