import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { requireStaff, type ApiContext, type StaffState } from '../staff-auth.js';
import type { Role } from '../../../models/staff-user.js';
import { decideVolunteer, listVolunteers } from '../../../handlers/volunteers/applications.js';
import { parseInput, parseQuery } from '../../../handlers/volunteers/input.js';
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
import { scopeById } from '../../../handlers/volunteers/scope.js';
import { getTask, listTasks, markAttendance } from '../../../handlers/volunteers/task-view.js';
import { cancelTask, createTask, releaseTask, updateTask } from '../../../handlers/volunteers/tasks.js';
import { volunteerDeps } from '../../volunteers/deps.js';

/** Roles that approve volunteers and run their tasks (product.md). */
export const VOLUNTEER_ROLES: readonly Role[] = ['committee', 'volunteer_lead'];

const id = (ctx: ApiContext) => String(ctx.params.id);
const body = (ctx: ApiContext) => ctx.request.body as unknown;

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

  router.get('/volunteers', anyone(), async (ctx) => {
    ctx.body = await listVolunteers(deps, ctx.state.actor, parseQuery(VolunteerListQuery, ctx.query));
  });
  router.post('/volunteers/:id/approve', onVolunteer(), async (ctx) => {
    parseInput(ApproveBody, body(ctx));
    ctx.body = await decideVolunteer(deps, ctx.state.actor, id(ctx), 'approved');
  });
  router.post('/volunteers/:id/reject', onVolunteer(), async (ctx) => {
    const { reason } = parseInput(RejectBody, body(ctx));
    ctx.body = await decideVolunteer(deps, ctx.state.actor, id(ctx), 'rejected', reason);
  });

  router.post('/volunteer-tasks', anyone(), async (ctx) => {
    const created = await createTask(deps, ctx.state.actor, parseInput(CreateTaskBody, body(ctx)));
    ctx.status = 201;
    ctx.body = created;
  });
  router.get('/volunteer-tasks', anyone(), async (ctx) => {
    ctx.body = await listTasks(deps, ctx.state.actor, parseQuery(TaskListQuery, ctx.query));
  });
  router.get('/volunteer-tasks/:id', onTask(), async (ctx) => {
    ctx.body = await getTask(deps, id(ctx));
  });
  router.patch('/volunteer-tasks/:id', onTask(), async (ctx) => {
    ctx.body = await updateTask(deps, id(ctx), parseInput(PatchTaskBody, body(ctx)));
  });
  router.post('/volunteer-tasks/:id/release', onTask(), async (ctx) => {
    ctx.body = await releaseTask(deps, id(ctx));
  });
  router.post('/volunteer-tasks/:id/cancel', onTask(), async (ctx) => {
    ctx.body = await cancelTask(deps, id(ctx), parseInput(CancelTaskBody, body(ctx)).reason);
  });
  router.post('/volunteer-tasks/:id/attendance', onTask(), async (ctx) => {
    ctx.body = await markAttendance(deps, ctx.state.actor, id(ctx), parseInput(AttendanceBody, body(ctx)));
  });
}
