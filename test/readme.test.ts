import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../bot/config.js';

const README = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
const PACKAGE = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('has the two-line quick start', () => {
    expect(README).toContain('npm ci && npm start\nnpm ci && npm test');
  });

  it.each(Object.keys(VARIABLES))('lists %s in the configuration table', (name) => {
    expect(README).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it('documents every npm script that operators run', () => {
    const internal = new Set(['pretest', 'typecheck', 'serve:prod', 'worker:prod']);
    for (const script of Object.keys(PACKAGE.scripts).filter((s) => !internal.has(s))) {
      expect(README, `npm script ${script}`).toMatch(new RegExp(`npm (run )?${script.replace(':', '\\:')}\\b`));
    }
  });
});
