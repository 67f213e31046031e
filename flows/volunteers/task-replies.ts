/**
 * A volunteer's replies to task prompts, which work wherever the conversation is:
 * `接 T12` / `join T12` takes a place, `退 T12` / `leave T12` gives it back, a bare `接` / `join`
 * answers the latest prompt. A bare `1` answers the latest prompt too, but only outside a form
 * (inside one it is the form's answer) and only from an approved volunteer who received a prompt
 * in the last 24 hours — otherwise `1` is the menu's first service, as always.
 */
import type { Aside, Route } from '../engine/engine.js';
import { foldForMatch } from '../engine/input.js';
import type { FlowDefinition, Prompt } from '../engine/types.js';

/** Where the slot claim's answer goes: the effect's result `taskReply` is the whole text. */
export const TASK_REPLY: Prompt = { key: 'volunteers:task_reply' };

const JOIN = /^(?:接单|接|报名|参加|join|take)\s*(?:任务|task)?\s*[#＃]?\s*t?\s*0*(\d{1,5})$/i;
const LEAVE = /^(?:退出|退|取消|不去了|leave|drop|cancel)\s*(?:任务|task)?\s*[#＃]?\s*t?\s*0*(\d{1,5})$/i;
const JOIN_LATEST = /^(?:接|接单|我接|join|join task|i'?ll join)$/i;

/** `接 T12`, `退 t12`, `join 12`, a bare `接`: the effect to run, or undefined for anything else. */
export function taskReplyOf(text: string): Aside | undefined {
  const t = foldForMatch(text);
  let m = JOIN.exec(t);
  if (m) return { kind: 'reply', effects: [{ type: 'joinTask', task: { code: `T${Number(m[1])}` } }], replies: [TASK_REPLY] };
  m = LEAVE.exec(t);
  if (m) return { kind: 'reply', effects: [{ type: 'leaveTask', task: { code: `T${Number(m[1])}` } }], replies: [TASK_REPLY] };
  if (JOIN_LATEST.test(t)) return { kind: 'reply', effects: [{ type: 'joinTask', task: { latest: true } }], replies: [TASK_REPLY] };
  return undefined;
}

/** A bare `1` from an approved volunteer, outside a form: the latest prompt's answer, or `otherwise` when there is none. */
export function promptAnswerRoute(text: string, volunteer: string | undefined, otherwise: string): Route | undefined {
  if (volunteer !== 'approved' || foldForMatch(text) !== '1') return undefined;
  return { kind: 'flow', flow: taskAnswerFlow.id, carried: { otherwise } };
}

/**
 * Reads the latest task prompt (loaded as a fact) and takes its place; with none in the last 24
 * hours, hands over to the flow a `1` means otherwise (the health report).
 */
export const taskAnswerFlow: FlowDefinition = {
  id: 'volunteer-task-answer',
  version: 1,
  title: { key: 'volunteers:task_answer_title' },
  needs: ['latestTaskPrompt'],
  start(ctx, carried) {
    const p = ctx.facts.latestTaskPrompt;
    if (p) return { outcome: { effects: [{ type: 'joinTask', task: { latest: true, id: p.taskId, code: p.code } }], replies: [TASK_REPLY] } };
    if (typeof carried.otherwise === 'string') return { outcome: { followUp: carried.otherwise } };
    return { outcome: { replies: [{ key: 'volunteers:join.no_prompt' }] } };
  },
  steps: [],
  finish: () => ({}),
};
