/**
 * `我的求助` / `my requests`: the resident's supply requests with their status, newest first.
 * A flow with no questions — it answers at once from the facts loaded for it.
 */
import type { FlowDefinition, Prompt } from '../engine/types.js';

/** Shanghai-style local date of an ISO time, `11-28`. */
const monthDay = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, month: '2-digit', day: '2-digit' }).format(new Date(iso));

export const myRequestsFlow: FlowDefinition = {
  id: 'my-requests',
  version: 1,
  title: { key: 'supplies:my_title' },
  requiresRegistration: true,
  needs: ['supplyRequests'],
  start(ctx) {
    const list = (ctx.facts.supplyRequests ?? []).slice(0, 10);
    if (!list.length) return { outcome: { replies: [{ key: 'supplies:my_none' }] } };
    const lines: Prompt[] = list.map((r) => ({
      key: 'supplies:my_line',
      params: {
        ticket: r.ticket,
        date: monthDay(r.createdAt, ctx.timeZone),
        category: { key: `supplies:category.${r.category}` },
        status: { key: `supplies:status.${r.status}` },
      },
    }));
    return {
      outcome: {
        replies: [
          { key: 'supplies:my_header', params: { count: list.length } },
          { list: lines, numbered: false },
        ],
      },
    };
  },
  steps: [],
  finish: () => ({}),
};
