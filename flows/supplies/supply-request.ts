/**
 * Supply request (物资求助): category, items, urgency, delivery address (the registered one, or
 * another), confirm. A ticket number comes back (`S-20261128-0042`). An open request of the same
 * category is updated, not duplicated.
 *
 * Personal data kept: the items asked for and the delivery address.
 */
import { summaryLines } from '../engine/flow-runner.js';
import { choice, confirm, text, yesNo } from '../engine/parsers.js';
import type { Answers, ConversationContext, FlowDefinition, Option, Prompt } from '../engine/types.js';
import { isOpenSupplyStatus, SUPPLY_CATEGORIES, URGENCIES, type SupplyCategory, type Urgency } from './priority.js';

/** Words residents use for each category, besides its label. */
const CATEGORY_WORDS: Record<SupplyCategory, string[]> = {
  food: ['食物', '吃的', '粮食', '米', '面', '菜', '蔬菜', '肉', '鸡蛋', 'food', 'groceries', 'rice', 'vegetables'],
  medicine: ['药', '药物', '买药', '医药', 'medicine', 'medicines', 'drugs', 'pills', 'prescription'],
  infant: ['婴儿', '宝宝', '奶粉', '尿不湿', '纸尿裤', 'baby', 'infant', 'formula', 'nappies', 'diapers'],
  hygiene: ['清洁', '卫生', '消毒', '消毒液', '卫生纸', '纸巾', '口罩', 'hygiene', 'cleaning', 'soap', 'masks', 'toilet paper'],
  other: ['其它', '别的', 'other', 'something else'],
};
const categoryOptions: Option[] = SUPPLY_CATEGORIES.map((c) => ({ value: c, label: { key: `supplies:category.${c}` }, aliases: CATEGORY_WORDS[c] }));
const URGENCY_WORDS: Record<Urgency, string[]> = {
  today: ['今天', '急', '很急', '马上', '急需', 'today', 'urgent', 'now', 'asap'],
  three_days: ['三天', '3天', '不急', 'later', 'within 3 days', 'not urgent'],
};
const urgencyOptions: Option[] = URGENCIES.map((u) => ({ value: u, label: { key: `supplies:urgency.${u}` }, aliases: URGENCY_WORDS[u] }));

/** The registered address as staff deliver to it: building and room. */
export function registeredAddress(ctx: ConversationContext): string | undefined {
  const r = ctx.resident.registration;
  if (!r?.buildingCode || !r.room) return undefined;
  const building = r.buildingName ?? r.buildingCode;
  return [r.communityName, building, r.unit ? `${r.unit}-${r.room}` : r.room].filter(Boolean).join(' ');
}

/** The resident's open request of this category, which a new one updates. */
export const openRequestOf = (ctx: ConversationContext, category: unknown) =>
  (ctx.facts.supplyRequests ?? []).find((r) => r.category === category && isOpenSupplyStatus(r.status));

export const supplyRequestFlow: FlowDefinition = {
  id: 'supply-request',
  version: 1,
  title: { key: 'supplies:title' },
  requiresRegistration: true,
  needs: ['supplyRequests'],
  steps: [
    { id: 'category', label: { key: 'supplies:category.label' }, ask: { key: 'supplies:category.ask' }, parse: choice(categoryOptions) },
    {
      id: 'items',
      label: { key: 'supplies:items.label' },
      ask: (a, ctx): Prompt => {
        const open = openRequestOf(ctx, a.category);
        return open ? { key: 'supplies:items.ask_update', params: { ticket: open.ticket, items: open.items } } : { key: 'supplies:items.ask' };
      },
      parse: text({ max: 200, min: 2 }),
    },
    { id: 'urgency', label: { key: 'supplies:urgency.label' }, ask: { key: 'supplies:urgency.ask' }, parse: choice(urgencyOptions) },
    {
      id: 'useRegistered',
      ask: (_a, ctx) => ({ key: 'supplies:address.ask_registered', params: { address: registeredAddress(ctx) } }),
      parse: yesNo(),
      when: (_a, ctx) => !!registeredAddress(ctx),
      save: (v, a, ctx) => (v ? { ...a, address: registeredAddress(ctx) } : { ...a, address: undefined }),
      next: (a) => (a.address ? 'confirm' : 'address'),
    },
    {
      id: 'address',
      label: { key: 'supplies:address.label' },
      ask: { key: 'supplies:address.ask' },
      parse: text({ max: 120, min: 2 }),
      when: (a) => !a.address,
    },
    {
      id: 'confirm',
      ask: (a, ctx) => ({ key: 'supplies:confirm', params: { lines: summaryLines(supplyRequestFlow, a, ctx) } }),
      parse: confirm(),
    },
  ],
  finish(a: Answers, ctx) {
    const open = openRequestOf(ctx, a.category);
    return {
      effects: [
        {
          type: 'submitSupplyRequest',
          category: a.category as SupplyCategory,
          items: String(a.items),
          urgency: a.urgency as Urgency,
          address: String(a.address),
        },
      ],
      replies: [open ? { key: 'supplies:updated', params: { ticket: open.ticket } } : { key: 'supplies:submitted' }],
    };
  },
};
