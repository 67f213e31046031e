import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { FactEntry } from '../../handlers/rumors/matcher/index.js';
import { factFields, ImportEntry } from '../../handlers/rumors/schemas.js';

export const FACT_CHECKS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fact-checks.json');

const HAN = /\p{Script=Han}/u;

/**
 * One fact-check of the starter base, as the demo seed imports it: an import entry (the trusted
 * import's format) with a key, a named source (no bare URL) and a claim in its own language.
 */
export const StarterFact = ImportEntry.extend({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'lower-case words joined by dashes'),
  explanation: factFields.explanation.refine((s) => [...s].length >= 20, 'at least 20 characters'),
  source: factFields.source.refine((s) => s.length >= 3 && !/https?:/.test(s), 'name the organisation and document, not a URL'),
}).refine((f) => [f.claim, ...(f.aliases ?? [])].every((t) => (f.lang === 'en' ? !HAN.test(t) : !/[A-Za-z]{3,}/.test(t))), {
  message: 'claim and aliases are written in the entry’s language only',
});
export type StarterFact = z.infer<typeof StarterFact>;

/** Read and validate a fact-check file; throws naming the first bad entry and field. */
export function loadStarterFacts(file = FACT_CHECKS_FILE): StarterFact[] {
  const parsed = z.array(StarterFact).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path.basename(file)}: entry ${issue.path.join('.')}: ${issue.message}`);
  }
  const keys = new Set<string>();
  for (const f of parsed.data) {
    if (keys.has(f.key)) throw new Error(`${path.basename(file)}: duplicate key ${f.key}`);
    keys.add(f.key);
  }
  return parsed.data;
}

/** What the matcher indexes of a fact-check. */
export const toFactEntry = (f: StarterFact): FactEntry => ({ id: f.key, lang: f.lang, claim: f.claim, aliases: f.aliases });
