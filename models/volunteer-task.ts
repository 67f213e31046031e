import { Schema, type Types } from 'mongoose';
import { SKILLS, type Skill } from '../flows/volunteers/skills.js';
import { derivedId } from './ids.js';

export const TASK_STATUSES = ['draft', 'open', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A volunteer task staff post: what, where, when, how many. Its short code (`T12`) counts per
 * community, and the `_id` is derived from (community, number), so the number is decided by a
 * unique insert and `接 T12` finds the task by `_id`. `draft` until released (the prompts go
 * out), then `open` until cancelled; it ends by itself at `endsAt`.
 */
export interface VolunteerTask {
  _id: Types.ObjectId;
  seq: number;
  code: string;
  title: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
  slots: number;
  skill?: Skill | null;
  streetCode?: string;
  communityCode: string;
  buildingCode?: string | null;
  status: TaskStatus;
  createdBy: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
  releasedAt?: Date | null;
  cancelledAt?: Date | null;
  cancelReason?: string | null;
}

export const taskCode = (seq: number) => `T${seq}`;
export const taskIdFor = (communityCode: string, seq: number) => derivedId('volunteer-task', communityCode, seq);

export const VolunteerTaskSchema = new Schema(
  {
    seq: { type: Number, required: true },
    code: { type: String, required: true },
    title: { type: String, required: true },
    place: { type: String, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    slots: { type: Number, required: true },
    skill: { type: String, enum: [...SKILLS, null], default: null },
    streetCode: String,
    communityCode: { type: String, required: true },
    buildingCode: { type: String, default: null },
    status: { type: String, enum: TASK_STATUSES, required: true },
    createdBy: { type: { _id: false, id: String, name: String }, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    cancelReason: { type: String, default: null },
  },
  { versionKey: false },
);
VolunteerTaskSchema.index({ communityCode: 1, seq: -1 });

export const SIGNUP_STATUSES = ['confirmed', 'waitlisted', 'left'] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];

/**
 * A volunteer's place on a task, `_id` = (task, resident). Redis decides the places (one Lua
 * script per join or leave); this is the durable copy, written before the volunteer is told, and
 * what Redis is rebuilt from. `ver` is the task's change counter at the decision: a write never
 * replaces a newer one.
 */
export interface TaskSignup {
  _id: Types.ObjectId;
  taskId: Types.ObjectId;
  residentId: Types.ObjectId;
  volunteerId: Types.ObjectId;
  status: SignupStatus;
  /** Order of joining (the roster's order; the waitlist's queue). */
  seq: number;
  ver: number;
  updatedAt: Date;
  /** The message that made this change, so its retry answers the same. */
  sourceKey?: string | null;
  /** Who this volunteer's leaving moved up from the waitlist (told after this is written). */
  promoted?: { residentId: string; ver: number } | null;
  attended?: boolean | null;
  attendedAt?: Date | null;
  attendedBy?: string | null;
}

export const taskSignupIdFor = (taskId: string | Types.ObjectId, residentId: string | Types.ObjectId) => derivedId('task-signup', taskId, residentId);

export const TaskSignupSchema = new Schema(
  {
    taskId: { type: Schema.Types.ObjectId, required: true },
    residentId: { type: Schema.Types.ObjectId, required: true },
    volunteerId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: SIGNUP_STATUSES, required: true },
    seq: { type: Number, required: true },
    ver: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    sourceKey: { type: String, default: null },
    promoted: { type: { _id: false, residentId: String, ver: Number }, default: null },
    attended: { type: Boolean, default: null },
    attendedAt: { type: Date, default: null },
    attendedBy: { type: String, default: null },
  },
  { versionKey: false },
);
TaskSignupSchema.index({ taskId: 1 });
