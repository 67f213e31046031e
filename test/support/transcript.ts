/**
 * Golden conversation transcripts for the pure engine (goflow's lesson): a readable text file per
 * flow and language, with a fixed clock. Lines:
 *   `@ now 2026-11-28T08:00:00+08:00`   set the clock        `@ advance 31m`   move it on
 *   `@ resident {json}`                 merge into the resident snapshot
 *   `@ facts {json}`                    the data the caller would load (communities, reports…)
 *   `@ results {json}`                  what the effects give the replies (e.g. a slot claim's `taskReply`)
 *   `@ flow-version <flow> <n>`         pretend the running code has that flow at version n
 *   `@ reset`                           forget the conversation (a new scenario)
 *   `@ session {json}`                  set the conversation, as a job that opens a flow does (still-needed)
 *   `@ result <effect> {json}`          what that effect returns from now on (a pass, a booking: outcomes only the effect knows)
 *   `> text`                            the resident sends text
 *   `> [click KEY]` `> [subscribe SCENE?]` `> [scan SCENE]` `> [image]` `> [voice]` `> [unsubscribe]`
 *   `> [long N]`                        a pasted text N characters long
 *   `< …`                               what the bot answered (one line per reply line)
 *   `! effect {json}`                   an effect the step asked for (in order)
 *   `#` comments and blank lines are kept.
 * Lookups (a rumour check's `rumorCheck`) are computed for the text sent by `lookups`, when given.
 * The runner replays the `@`/`>` lines and rewrites the `<`/`!` lines; the test compares the result
 * with the file. `UPDATE_TRANSCRIPTS=1` writes the result back (then read the diff before committing).
 */
import fs from 'node:fs';
import type { i18n as I18n } from 'i18next';
import { converse, type ConversationSpec } from '../../flows/engine/engine.js';
import type { Facts, LookupName } from '../../flows/engine/facts.js';
import { renderReplies } from '../../flows/engine/render.js';
import type { ConversationInput, ConversationSession, Language, ResidentSnapshot } from '../../flows/engine/types.js';

export function textsOf(i18n: I18n) {
  return {
    all: (key: string, params?: Record<string, unknown>) =>
      (['zh-CN', 'en'] as const).map((l) => i18n.getFixedT(l)(key, params ?? {})).filter((s) => s && s !== key),
  };
}

function inputOf(line: string): ConversationInput {
  const m = /^\[(\w+)(?: (.*))?\]$/.exec(line);
  if (!m) return { kind: 'text', text: line };
  if (m[1] === 'long') return { kind: 'text', text: '请帮忙'.repeat(Math.ceil(Number(m[2]) / 3)).slice(0, Number(m[2])) };
  const [, what, arg] = m;
  switch (what) {
    case 'click':
      return { kind: 'click', key: arg ?? '' };
    case 'subscribe':
      return { kind: 'subscribe', ...(arg ? { scene: arg } : {}) };
    case 'scan':
      return { kind: 'scan', scene: arg ?? '' };
    case 'image':
      return { kind: 'unreadable', what: 'image' };
    case 'voice':
      return { kind: 'unreadable', what: 'voice' };
    case 'unsubscribe':
      return { kind: 'silent' };
    default:
      throw new Error(`unknown input [${what}]`);
  }
}

const DURATION = /^(\d+)(m|h|d)$/;

/** Computes a lookup fact for the text being read (see `Step.lookup`). */
export type TranscriptLookups = Partial<Record<LookupName, (query: string, lang: Language) => Facts[LookupName]>>;

export function runTranscript(spec: ConversationSpec, i18n: I18n, source: string, lookups: TranscriptLookups = {}): string {
  let now = new Date('2026-11-28T08:00:00+08:00');
  let resident: ResidentSnapshot = { id: 'r1', language: 'zh-CN', registered: false };
  let facts: Facts = {};
  let given: Record<string, unknown> = {};
  let session: ConversationSession = {};
  let tickets = 0;
  const asks = new Map<string, number>();
  const versions = new Map<string, number>();
  const effectResults = new Map<string, Record<string, unknown>>();
  const out: string[] = [];
  const texts = textsOf(i18n);
  for (const line of source.split('\n')) {
    if (line.startsWith('< ') || line === '<' || line.startsWith('! ')) continue;
    out.push(line);
    if (line.startsWith('@ ')) {
      const [, cmd, rest = ''] = /^@ (\S+) ?(.*)$/.exec(line) ?? [];
      if (cmd === 'now') now = new Date(rest);
      else if (cmd === 'advance') {
        const [, n, unit] = DURATION.exec(rest) ?? [];
        now = new Date(now.getTime() + Number(n) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'm' | 'h' | 'd']);
      } else if (cmd === 'reset') session = {};
      else if (cmd === 'session') session = { history: [], misses: 0, answers: {}, updatedAt: now.toISOString(), ...JSON.parse(rest) };
      else if (cmd === 'resident') resident = { ...resident, ...JSON.parse(rest) };
      else if (cmd === 'facts') facts = { ...facts, ...JSON.parse(rest) };
      else if (cmd === 'results') given = { ...given, ...JSON.parse(rest) };
      else if (cmd === 'flow-version') {
        const [flow, v] = rest.split(' ');
        versions.set(flow!, Number(v));
      } else if (cmd === 'result') {
        const [, type, json] = /^(\S+) (.*)$/.exec(rest) ?? [];
        effectResults.set(type!, JSON.parse(json!));
      } else throw new Error(`unknown directive ${line}`);
      continue;
    }
    if (!line.startsWith('> ')) continue;
    const flows = Object.fromEntries(Object.entries(spec.flows).map(([id, f]) => [id, versions.has(id) ? { ...f, version: versions.get(id)! } : f]));
    const run = (f: Facts) => converse({ ...spec, flows }, session, inputOf(line.slice(2)), { now, timeZone: 'Asia/Shanghai', resident, facts: f, texts });
    let result = run({});
    let loaded: Facts = {};
    for (let round = 0; result.needFacts && round < 3; round++) {
      loaded = { ...facts, ...loaded };
      for (const name of result.needFacts) {
        const lookup = lookups[name as LookupName];
        if (lookup && result.lookupQuery !== undefined) loaded = { ...loaded, [name]: lookup(result.lookupQuery, resident.language) };
      }
      result = run(loaded);
    }
    if (result.needFacts) throw new Error(`${line}: facts missing from the transcript: ${result.needFacts.join(', ')}`);
    const results: Record<string, unknown> = { ...given };
    for (const e of result.effects) {
      out.push(`! ${JSON.stringify(e)}`);
      if (e.type === 'setLanguage') resident = { ...resident, language: e.language };
      if (e.type === 'saveRegistration') {
        const c = facts.communities?.find((x) => x.code === e.registration.communityCode);
        const names = { communityName: c?.name, buildingName: c?.buildings.find((b) => b.code === e.registration.buildingCode)?.name };
        resident = {
          ...resident,
          registered: true,
          registration: { ...e.registration, ...names },
          vulnerable: e.registration.vulnerable,
          mobile: e.registration.mobile,
        };
      }
      if (e.type === 'submitSupplyRequest') results.ticket = `S-20261128-${String(++tickets).padStart(4, '0')}`;
      Object.assign(results, effectResults.get(e.type));
      if (e.type === 'askClaim') results.askCount = (asks.get(e.text) ?? 0) + 1;
      if (e.type === 'askClaim') asks.set(e.text, results.askCount as number);
    }
    const lang: Language = resident.language;
    const text = renderReplies(result.replies, i18n.getFixedT(lang), lang, results);
    for (const l of text ? text.split('\n') : ['(no reply)']) out.push(l ? `< ${l}` : '<');
    session = Object.keys(result.session).length ? { ...result.session, updatedAt: now.toISOString() } : {};
  }
  return out.join('\n');
}

/** Compare a transcript file with a replay of it (or rewrite it with UPDATE_TRANSCRIPTS=1). */
export function checkTranscript(spec: ConversationSpec, i18n: I18n, file: string, lookups: TranscriptLookups = {}): { expected: string; actual: string } {
  const expected = fs.readFileSync(file, 'utf8');
  const actual = `${runTranscript(spec, i18n, expected.replace(/\n$/, ''), lookups)}\n`;
  if (process.env.UPDATE_TRANSCRIPTS === '1' && actual !== expected) fs.writeFileSync(file, actual);
  return { expected: process.env.UPDATE_TRANSCRIPTS === '1' ? actual : expected, actual };
}
