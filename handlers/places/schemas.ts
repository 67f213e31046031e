/** The place routes' answers (also the OpenAPI document's). */
import { z } from 'zod';
import { placeCode } from '../input.js';

export const CommunityParams = z.object({ code: placeCode });

export const CommunityList = z
  .object({ communities: z.array(z.object({ code: z.string(), name: z.string(), streetCode: z.string() })) })
  .meta({ id: 'CommunityList' });

export const CommunityDetail = z
  .object({
    code: z.string(),
    name: z.string(),
    streetCode: z.string(),
    buildings: z.array(z.object({ code: z.string(), name: z.string() })),
    subscribedResidents: z.number().int(),
  })
  .meta({ id: 'CommunityDetail' });
