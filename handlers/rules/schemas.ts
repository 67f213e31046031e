/** A community's rules routes: input and answers (also the OpenAPI document's). */
import { z } from 'zod';
import { localDay, placeCode, text } from '../input.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time HH:mm' });

const GatesPatch = z.strictObject({
  closed: z.boolean().optional().meta({ description: 'closed management in force' }),
  outings: z
    .strictObject({ max: z.number().int().min(1).max(20), perDays: z.number().int().min(1).max(30), from: localDay.optional() })
    .nullable()
    .optional()
    .meta({ description: 'out passes per household per period of perDays local days from `from` (default: today); null = no limit' }),
  hours: z.strictObject({ open: hhmm, close: hhmm }).nullable().optional().meta({ description: 'local opening hours; null = always open' }),
  observationStaysIn: z.boolean().optional(),
  visitors: z.boolean().optional(),
});

const ObservationPatch = z.strictObject({
  days: z.number().int().min(1).max(30).optional(),
  remindAt: z.array(hhmm).min(1).max(4).optional(),
  missedAt: hhmm.optional(),
});

export const RulesParams = z.object({ code: placeCode });
export const RiskAreaParams = z.object({ code: placeCode, area: z.string().min(1).max(60) });
export const RulesPatchBody = z.strictObject({
  gates: GatesPatch.optional(),
  observation: ObservationPatch.optional(),
  version: z.number().int().min(0).optional().meta({ description: 'the version you read: another change meanwhile answers 409' }),
});
export const RiskAreaBody = z.strictObject({ area: text(60).meta({ description: 'e.g. 吉林省长春市, or spellings separated by /: 上海/Shanghai' }) });

export const RulesView = z
  .object({
    community: z.string(),
    version: z.number().int(),
    gates: z.object({
      closed: z.boolean(),
      outings: z.object({ max: z.number().int(), perDays: z.number().int(), from: z.string() }).nullable(),
      hours: z.object({ open: z.string(), close: z.string() }).nullable(),
      observationStaysIn: z.boolean(),
      visitors: z.boolean(),
    }),
    observation: z.object({ days: z.number().int(), remindAt: z.array(z.string()), missedAt: z.string() }),
    riskAreas: z.array(z.string()),
    audit: z.array(
      z.object({ version: z.number().int(), action: z.string(), actor: z.string(), role: z.string(), at: z.date(), diff: z.record(z.string(), z.unknown()) }),
    ),
  })
  .meta({ id: 'CommunityRules' });
