/**
 * A deploy that renamed a step: `FlowDefinition.migrate` carries a session started on the older
 * version to the renamed step, with a word of explanation, instead of restarting the form.
 */
import { describe, expect, it } from 'vitest';
import { converse, type ConversationSpec } from '../../../flows/engine/engine.js';
import { text } from '../../../flows/engine/parsers.js';
import type { ConversationContext, ConversationSession, FlowDefinition, Prompt, Reply } from '../../../flows/engine/types.js';

/** Version 2 renamed the step `tel` to `contact`; `name` kept its id; `address` was removed. */
const contactFlow: FlowDefinition = {
  id: 'contact',
  version: 2,
  title: { key: 'test:contact_title' },
  steps: [
    { id: 'name', ask: { key: 'test:name_ask' }, parse: text({ max: 40 }) },
    { id: 'contact', ask: { key: 'test:contact_ask' }, parse: text({ max: 40 }) },
  ],
  finish: (a) => ({ replies: [{ key: 'test:done', params: { name: a.name, contact: a.contact } }] }),
  migrate: { 1: { tel: 'contact' } },
};

const spec: ConversationSpec = {
  flows: { contact: contactFlow },
  route: () => ({ kind: 'unknown' }),
  click: () => ({ kind: 'unknown' }),
  subscribe: () => ({ replies: [] }),
  scan: () => ({ kind: 'unknown' }),
  menu: [{ key: 'test:menu' }],
};

const now = new Date('2026-11-28T08:00:00+08:00');
const ctx: ConversationContext = {
  now,
  timeZone: 'Asia/Shanghai',
  resident: { id: 'r1', language: 'en', registered: true },
  facts: {},
  texts: { all: () => [] },
};
const onV1 = (step: string, history: string[]): ConversationSession => ({
  flow: 'contact',
  flowVersion: 1,
  step,
  answers: { name: 'Wang' },
  history,
  misses: 0,
  updatedAt: now.toISOString(),
});
const keys = (replies: Reply[]) => replies.map((r) => (r as Prompt & { key: string }).key);
const say = (s: ConversationSession, t: string) => converse(spec, s, { kind: 'text', text: t }, ctx);

describe('flow migration (FlowDefinition.migrate)', () => {
  it('a session on a renamed step continues on the mapped step, with engine:flow_updated_continue and the question', () => {
    const first = say(onV1('tel', ['name', 'address']), '13812345678');
    expect(keys(first.replies)).toEqual(['engine:flow_updated_continue', 'test:contact_ask']);
    expect(first.session).toMatchObject({ flow: 'contact', flowVersion: 2, step: 'contact', answers: { name: 'Wang' }, history: ['name'] });
    expect(first.effects).toEqual([]);
    // The next message answers the mapped step; the form finishes with the carried answer.
    const second = say(first.session, '13812345678');
    expect(second.replies).toEqual([{ key: 'test:done', params: { name: 'Wang', contact: '13812345678' } }]);
    expect(second.session).toEqual({});
  });

  it('a step whose id did not change needs no entry: the message answers it at once, silently', () => {
    const r = say(onV1('name', []), 'Li');
    expect(keys(r.replies)).toEqual(['test:contact_ask']);
    expect(r.session).toMatchObject({ flowVersion: 2, step: 'contact', answers: { name: 'Li' } });
  });

  it('a step that maps to nothing restarts the form with engine:flow_updated_restart', () => {
    const r = say(onV1('address', ['name']), 'Somewhere 1');
    expect(keys(r.replies)).toEqual(['engine:flow_updated_restart', 'test:name_ask']);
    expect(r.session).toMatchObject({ flowVersion: 2, step: 'name' });
  });
});
