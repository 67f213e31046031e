/** The returnees route: input and answer (also the OpenAPI document's). */
import { z } from 'zod';
import { buildingCode, placeCode } from '../input.js';

export const ReturneesQuery = z.strictObject({
  community: placeCode,
  building: buildingCode.optional().meta({ description: 'required of an account scoped to one building' }),
  status: z.enum(['observing', 'all']).default('observing').meta({ description: 'observing: under home observation today; all: every return' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const home = { resident: z.string(), building: z.string().nullable(), unit: z.string().nullable(), room: z.string().nullable() };

export const ReturneesView = z
  .object({
    community: z.string(),
    today: z.string(),
    observing: z
      .array(
        z.object({
          ...home,
          from: z.string(),
          riskArea: z.string(),
          startDate: z.string(),
          endDate: z.string(),
          day: z.number().int().meta({ description: 'day N of the observation (the arrival day is 1)' }),
          days: z.number().int(),
          today: z.object({ reported: z.boolean(), risk: z.enum(['green', 'yellow', 'red']).nullable() }),
        }),
      )
      .optional(),
    returnees: z
      .array(
        z.object({
          ...home,
          from: z.string(),
          arrivalDate: z.string(),
          transport: z.string(),
          riskArea: z.string().nullable(),
          observation: z.object({ startDate: z.string(), endDate: z.string() }).nullable(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Returnees' });
