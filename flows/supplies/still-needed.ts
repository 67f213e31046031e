/**
 * "Is this still needed?" — asked by the overdue-request job about a request still open past its
 * urgency window (the job opens this flow on the resident's session with the request's id). A
 * `no` cancels the request; a `yes` keeps it and bumps it for staff.
 */
import { yesNo } from '../engine/parsers.js';
import type { FlowDefinition } from '../engine/types.js';

export const stillNeededFlow: FlowDefinition = {
  id: 'still-needed',
  version: 1,
  title: { key: 'supplies:still_needed_title' },
  steps: [{ id: 'needed', ask: (a) => ({ key: 'supplies:still_needed_ask', params: { ticket: a.ticket, items: a.items } }), parse: yesNo() }],
  finish: (a) => ({
    effects: [{ type: 'answerStillNeeded', requestId: String(a.requestId), stillNeeded: !!a.needed }],
    replies: [{ key: a.needed ? 'supplies:still_needed_yes' : 'supplies:still_needed_no', params: { ticket: a.ticket } }],
  }),
};
