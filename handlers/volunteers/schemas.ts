/** The volunteer routes' input (zod; the staff API's OpenAPI document is generated from these). */
import { z } from 'zod';
import { SKILLS } from '../../flows/volunteers/skills.js';
import { TASK_STATUSES } from '../../models/volunteer-task.js';
import { VOLUNTEER_STATUSES } from '../../models/volunteer.js';
import { buildingCode, objectId, pageLimit, placeCode, text } from '../input.js';

/** An instant with its offset, `2026-12-01T09:00:00+08:00` (a bare local time would be ambiguous). */
const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-01T09:00:00+08:00' })
  .transform((s) => new Date(s));
const slots = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(500, { error: 'must be at most 500' });
const limit = pageLimit(200, 500);

export const CreateTaskBody = z.strictObject({
  title: text(64),
  place: text(120),
  startsAt: instant,
  endsAt: instant,
  slots,
  skill: z.enum(SKILLS).optional(),
  community: placeCode,
  building: buildingCode.optional(),
});
export type CreateTaskInput = z.output<typeof CreateTaskBody>;

export const PatchTaskBody = z
  .strictObject({ title: text(64).optional(), place: text(120).optional(), startsAt: instant.optional(), endsAt: instant.optional(), slots: slots.optional() })
  .refine((b) => Object.keys(b).length > 0, { error: 'give at least one of title, place, startsAt, endsAt, slots' });
export type PatchTaskInput = z.output<typeof PatchTaskBody>;

export const CancelTaskBody = z.strictObject({ reason: text(200).optional() });
export const AttendanceBody = z.strictObject({ volunteers: z.array(objectId).min(1).max(500), attended: z.boolean().default(true) });
export const ApproveBody = z.strictObject({});
export const RejectBody = z.strictObject({ reason: text(200) });

export const VolunteerListQuery = z.strictObject({ status: z.enum(VOLUNTEER_STATUSES).optional(), community: placeCode.optional(), limit });
export const TaskListQuery = z.strictObject({ status: z.enum(TASK_STATUSES).optional(), community: placeCode.optional(), limit });
