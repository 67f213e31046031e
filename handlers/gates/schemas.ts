/** The gate routes' input and answers (also the OpenAPI document's). */
import { z } from 'zod';
import { buildingCode, localDay, objectId, placeCode, text } from '../input.js';

export const CreateGateBody = z.strictObject({
  community: placeCode,
  building: buildingCode.optional().meta({ description: 'a building’s own gate' }),
  name: text(20),
});
export const PlaceQuery = z.strictObject({
  community: placeCode,
  building: buildingCode.optional().meta({ description: 'required of an account scoped to one building' }),
});
export const GateParams = z.object({ id: objectId });

export const GateView = z
  .object({
    id: z.string(),
    community: z.string(),
    building: z.string().nullable(),
    name: z.string(),
    scene: z.string().meta({ description: 'the permanent QR scene, g:<id>' }),
    qr: z.object({ ticket: z.string(), url: z.string(), imageUrl: z.string() }).nullable(),
    qrProblem: z.string().nullable().meta({ description: 'why WeChat could not make the QR code yet (retried when the poster is asked for)' }),
    poster: z.string(),
  })
  .meta({ id: 'Gate' });
export const GateList = z.object({ gates: z.array(GateView) }).meta({ id: 'GateList' });
export const GatePoster = z.string().meta({ id: 'GatePosterPng', description: 'PNG bytes; header x-qr-source: wechat or local', format: 'binary' });

export const RecordsQuery = PlaceQuery.extend({
  date: localDay.optional().meta({ description: 'local day; today when absent' }),
  gate: objectId.optional(),
  hour: z
    .string()
    .regex(/^([01]\d|2[0-3])$/, { error: 'must be an hour 00–23' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const home = { building: z.string().nullable(), unit: z.string().nullable(), room: z.string().nullable() };
const visitor = z.object({ name: z.string(), mobile: z.string().optional(), host: z.string(), purpose: z.string() }).nullable();

export const GateRecordsView = z
  .object({
    community: z.string(),
    date: z.string(),
    total: z.number().int(),
    refused: z.number().int(),
    byGateHour: z.array(
      z.object({ gate: z.string(), gateName: z.string(), hour: z.string(), out: z.number().int(), in: z.number().int(), refused: z.number().int() }),
    ),
    outingsByHousehold: z.array(z.object({ household: z.string(), ...home, outings: z.number().int() })),
    records: z.array(
      z.object({
        id: z.string(),
        gate: z.string(),
        gateName: z.string(),
        direction: z.enum(['out', 'in']),
        status: z.enum(['granted', 'refused']),
        reason: z.string().nullable(),
        passCode: z.string().nullable(),
        at: z.date(),
        hour: z.string(),
        resident: z.object(home).nullable(),
        visitor,
        afterHours: z.boolean(),
        outing: z.object({ n: z.number(), max: z.number(), perDays: z.number(), periodStart: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'GateRecords' });

export const OutNowView = z
  .object({
    community: z.string(),
    at: z.date(),
    out: z.array(z.object({ resident: z.string(), ...home, gateName: z.string(), passCode: z.string(), since: z.date(), hoursOut: z.number() })),
    visitorsInside: z.array(z.object({ visitor, gateName: z.string(), passCode: z.string(), since: z.date() })),
  })
  .meta({ id: 'GatesOutNow' });
