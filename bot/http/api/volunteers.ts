import type Router from '@koa/router';
import { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import type { Role } from '../../../models/staff-user.js';
import { objectId } from '../../../handlers/input.js';
import { decideVolunteer, listVolunteers } from '../../../handlers/volunteers/applications.js';
import {
  ApproveBody,
  AttendanceBody,
  CancelTaskBody,
  CreateTaskBody,
  PatchTaskBody,
  RejectBody,
  TaskListQuery,
  VolunteerListQuery,
} from '../../../handlers/volunteers/schemas.js';
import { CancelledTask, ReleasedTask, TaskDetail, TaskList, TaskView, VolunteerList, VolunteerView } from '../../../handlers/volunteers/responses.js';
import { scopeById } from '../../../handlers/volunteers/scope.js';
import { getTask, listTasks, markAttendance } from '../../../handlers/volunteers/task-view.js';
import { cancelTask, createTask, releaseTask, updateTask } from '../../../handlers/volunteers/tasks.js';
import { volunteerDeps } from '../../volunteers/deps.js';

/** Roles that approve volunteers and run their tasks (product.md). */
export const VOLUNTEER_ROLES: readonly Role[] = ['committee', 'volunteer_lead'];

const id = (ctx: ApiContext) => String(ctx.params.id);

/**
 * `/api/volunteers…` and `/api/volunteer-tasks…`: thin adapters over handlers/volunteers. Routes
 * on one volunteer or task check its scope in the guard; the collection routes filter lists to
 * the caller's scope and check a new task's place in the handler.
 */
export function registerVolunteerRoutes(router: Router<StaffState>, rt: Runtime): void {
  const deps = volunteerDeps(rt);
  const onVolunteer = () => requireStaff(rt, { roles: VOLUNTEER_ROLES, scope: async (ctx) => [await scopeById(rt.models.Volunteer, 'volunteer', id(ctx))] });
  const onTask = () =>
    requireStaff(rt, { roles: VOLUNTEER_ROLES, scope: async (ctx) => [await scopeById(rt.models.VolunteerTask, 'volunteer task', id(ctx))] });
  const anyone = () => requireStaff(rt, { roles: VOLUNTEER_ROLES });
  const tag = 'volunteers';
  const params = z.object({ id: objectId });
  const errors = ['not_found', 'conflict_state'] as const;

  router.get(
    '/volunteers',
    anyone(),
    endpoint(
      {
        tag,
        summary: 'Volunteer sign-ups in scope, oldest first',
        query: VolunteerListQuery,
        response: VolunteerList,
        errors: ['forbidden_scope', 'not_found'],
      },
      (ctx, { query }) => listVolunteers(deps, ctx.state.actor, query),
    ),
  );
  router.post(
    '/volunteers/:id/approve',
    onVolunteer(),
    endpoint({ tag, summary: 'Approve a sign-up (the volunteer is told)', params, body: ApproveBody, response: VolunteerView, errors }, (ctx) =>
      decideVolunteer(deps, ctx.state.actor, id(ctx), 'approved'),
    ),
  );
  router.post(
    '/volunteers/:id/reject',
    onVolunteer(),
    endpoint(
      { tag, summary: 'Reject a sign-up with the reason the volunteer is told', params, body: RejectBody, response: VolunteerView, errors },
      (ctx, { body }) => decideVolunteer(deps, ctx.state.actor, id(ctx), 'rejected', body.reason),
    ),
  );

  router.post(
    '/volunteer-tasks',
    anyone(),
    endpoint(
      { tag, summary: 'Post a task (a draft until released)', body: CreateTaskBody, response: TaskView, status: 201, errors: ['forbidden_scope'] },
      (ctx, { body }) => createTask(deps, ctx.state.actor, body),
    ),
  );
  router.get(
    '/volunteer-tasks',
    anyone(),
    endpoint({ tag, summary: 'Tasks in scope', query: TaskListQuery, response: TaskList, errors: ['forbidden_scope', 'not_found'] }, (ctx, { query }) =>
      listTasks(deps, ctx.state.actor, query),
    ),
  );
  router.get(
    '/volunteer-tasks/:id',
    onTask(),
    endpoint({ tag, summary: 'A task with its roster and waitlist', params, response: TaskDetail, errors: ['not_found'] }, (ctx) => getTask(deps, id(ctx))),
  );
  router.patch(
    '/volunteer-tasks/:id',
    onTask(),
    endpoint({ tag, summary: 'Change a task (volunteers on it are told)', params, body: PatchTaskBody, response: TaskView, errors }, (ctx, { body }) =>
      updateTask(deps, id(ctx), body),
    ),
  );
  router.post(
    '/volunteer-tasks/:id/release',
    onTask(),
    endpoint({ tag, summary: 'Release a task: matching volunteers are prompted', params, response: ReleasedTask, errors }, (ctx) => releaseTask(deps, id(ctx))),
  );
  router.post(
    '/volunteer-tasks/:id/cancel',
    onTask(),
    endpoint({ tag, summary: 'Cancel a task (volunteers on it are told)', params, body: CancelTaskBody, response: CancelledTask, errors }, (ctx, { body }) =>
      cancelTask(deps, id(ctx), body.reason),
    ),
  );
  router.post(
    '/volunteer-tasks/:id/attendance',
    onTask(),
    endpoint({ tag, summary: 'Mark who came', params, body: AttendanceBody, response: TaskDetail, errors }, (ctx, { body }) =>
      markAttendance(deps, ctx.state.actor, id(ctx), body),
    ),
  );
}
