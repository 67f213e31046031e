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

/** A translation function bound to one language (what the renderer and the engine call). */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

const fixed = new WeakMap<i18n, Map<string, Translate>>();

/** Parameters the renderer passes are strings and numbers; anything JSON cannot say plainly is not remembered. */
function idOf(key: string, params: Record<string, unknown>): string | undefined {
  for (const v of Object.values(params)) if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
  return `${key}\u0000${JSON.stringify(params)}`;
}

/** Rendered texts remembered per language (then forgotten all at once: parameters like ticket numbers never repeat). */
const REMEMBERED_TEXTS = 2000;

/**
 * A `t` bound to one language, made once per language (not once per message). A text is
 * translated once per set of parameters: i18next allocates a few objects per call, a reply
 * renders a dozen texts, and most of them (prompts, option lists) are the same every time.
 */
export function translator(i18n: i18n, lng: string): Translate {
  let byLanguage = fixed.get(i18n);
  if (!byLanguage) fixed.set(i18n, (byLanguage = new Map()));
  let translate = byLanguage.get(lng);
  if (!translate) {
    const t: TFunction = i18n.getFixedT(lng);
    const texts = new Map<string, string>();
    translate = (key, params) => {
      const hasParams = params !== undefined && Object.keys(params).length > 0;
      const id = hasParams ? idOf(key, params) : key;
      if (id === undefined) return t(key, params);
      let text = texts.get(id);
      if (text === undefined) {
        text = hasParams ? t(key, params) : t(key);
        if (texts.size >= REMEMBERED_TEXTS) texts.clear();
        texts.set(id, text);
      }
      return text;
    };
    byLanguage.set(lng, translate);
  }
  return translate;
}

/** Every language's text of a key (for reading answers typed in either language). */
export function textsOf(i18n: i18n): { all(key: string, params?: Record<string, unknown>): string[] } {
  const ts = SUPPORTED_LANGUAGES.map((l) => translator(i18n, l));
  return { all: (key, params) => ts.map((t) => t(key, params)).filter((s) => s && s !== key) };
}
