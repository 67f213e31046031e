/**
 * Every flow, in zh-CN and en, as readable golden transcripts (`transcripts/*.txt`) run through
 * the pure engine with a fixed clock. A change in wording or behaviour shows as a diff of the
 * file; `UPDATE_TRANSCRIPTS=1 npx vitest run test/flows/transcripts.test.ts` rewrites them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { i18n as I18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { createI18n } from '../../bot/i18n.js';
import { conversation } from '../../flows/conversation.js';
import { checkTranscript } from '../support/transcript.js';
import { starterRumorLookup } from '../support/rumor-lookup.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'transcripts');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

let i18n: I18n;
let rumorCheck: ReturnType<typeof starterRumorLookup>;
beforeAll(async () => {
  i18n = await createI18n();
  rumorCheck = starterRumorLookup();
});

describe('flow transcripts', () => {
  it.each(files)('%s', (file) => {
    const { expected, actual } = checkTranscript(conversation, i18n, path.join(dir, file), { rumorCheck });
    expect(actual).toBe(expected);
  });
});
