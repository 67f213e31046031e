/**
 * "Is this still needed?" — asked by the overdue-request job about a request still open past its
 * urgency window (the job opens this flow on the resident's session with the request's id). A
 * `no` cancels the request; a `yes` keeps it and bumps it for staff.
 */
import { yesNo } from '../engine/parsers.js';
import type { FlowDefinition } from '../engine/types.js';

/** How people answer "还需要吗？" besides yes and no. */
const NEEDED = {
  yes: ['需要', '还需要', '要', '还要', 'still need it', 'need it', 'i still need it'],
  no: ['不需要', '不需要了', '不用了', '不要了', '已经有了', '有了', "don't need it", 'no longer needed', 'not needed'],
};

export const stillNeededFlow: FlowDefinition = {
  id: 'still-needed',
  version: 1,
  title: { key: 'supplies:still_needed_title' },
  steps: [{ id: 'needed', ask: (a) => ({ key: 'supplies:still_needed_ask', params: { ticket: a.ticket, items: a.items } }), parse: yesNo(NEEDED) }],
  finish: (a) => ({
    effects: [{ type: 'answerStillNeeded', requestId: String(a.requestId), stillNeeded: !!a.needed }],
    replies: [{ key: a.needed ? 'supplies:still_needed_yes' : 'supplies:still_needed_no', params: { ticket: a.ticket } }],
  }),
};
