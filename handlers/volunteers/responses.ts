/** What the volunteer routes answer, for the OpenAPI document (the views are typed against these). */
import { z } from 'zod';
import { TASK_STATUSES } from '../../models/volunteer-task.js';
import { VOLUNTEER_STATUSES } from '../../models/volunteer.js';

const person = z.object({ id: z.string(), name: z.string() });

export const VolunteerView = z
  .object({
    id: z.string(),
    residentId: z.string(),
    name: z.string(),
    mobile: z.string().meta({ description: 'in full: the volunteer agreed to share it with staff' }),
    skills: z.array(z.string()),
    availability: z.array(z.string()),
    area: z.string(),
    community: z.string(),
    building: z.string().nullable(),
    status: z.enum(VOLUNTEER_STATUSES),
    round: z.number().int(),
    appliedAt: z.date(),
    decidedAt: z.date().nullable(),
    decidedBy: person.nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'Volunteer' });
export const VolunteerList = z.object({ volunteers: z.array(VolunteerView) }).meta({ id: 'VolunteerList' });

export const TaskView = z
  .object({
    id: z.string(),
    code: z.string(),
    title: z.string(),
    place: z.string(),
    startsAt: z.date(),
    endsAt: z.date(),
    slots: z.number().int(),
    skill: z.string().nullable(),
    community: z.string(),
    building: z.string().nullable(),
    status: z.enum(TASK_STATUSES),
    createdBy: person,
    createdAt: z.date(),
    releasedAt: z.date().nullable(),
    cancelledAt: z.date().nullable(),
    cancelReason: z.string().nullable(),
  })
  .meta({ id: 'VolunteerTask' });
export const TaskList = z.object({ tasks: z.array(TaskView) }).meta({ id: 'VolunteerTaskList' });

const PlaceView = z.object({ volunteerId: z.string(), name: z.string(), mobile: z.string(), position: z.number().int(), attended: z.boolean().nullable() });
export const TaskDetail = z.object({ task: TaskView, roster: z.array(PlaceView), waitlist: z.array(PlaceView) }).meta({ id: 'VolunteerTaskDetail' });
export const ReleasedTask = z.object({ task: TaskView, prompted: z.number().int() }).meta({ id: 'ReleasedVolunteerTask' });
export const CancelledTask = z.object({ task: TaskView, told: z.number().int() }).meta({ id: 'CancelledVolunteerTask' });
