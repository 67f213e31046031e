/**
 * What the volunteer use cases need from the rim: the slot ledger (Redis decides who gets a
 * place), the memory of who was last prompted for what, the reminder jobs. The rim implements
 * them in `bot/volunteers/`; handlers never see Redis or BullMQ.
 */
import type { TaskPromptFact } from '../../flows/engine/facts.js';
import type { Models } from '../../models/index.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { Clock, HandlerLog } from '../ports.js';

/** A volunteer's place in the ledger: their join order (`seq`). */
export interface LedgerEntry {
  residentId: string;
  seq: number;
}

/** A task's places as the ledger holds them (roster and waitlist in join order). */
export interface LedgerState {
  capacity: number;
  open: boolean;
  /** Join counter (the next `seq` is `seq + 1`). */
  seq: number;
  /** Change counter: every decision gets the next `ver`. */
  ver: number;
  roster: LedgerEntry[];
  waitlist: LedgerEntry[];
}

export type JoinOutcome =
  | { kind: 'confirmed'; seq: number; ver: number }
  | { kind: 'waitlisted'; seq: number; ver: number; position: number }
  | { kind: 'already_confirmed'; seq: number }
  | { kind: 'already_waitlisted'; seq: number; position: number }
  | { kind: 'closed' }
  /** The ledger does not hold this task (not loaded yet, or Redis lost it): load it and ask again. */
  | { kind: 'missing' };

export type LeaveOutcome =
  | { kind: 'left'; ver: number; promoted?: LedgerEntry }
  | { kind: 'left_waitlist'; ver: number }
  | { kind: 'not_signed_up' }
  | { kind: 'missing' };

export type ResizeOutcome = { kind: 'resized'; ver: number; promoted: LedgerEntry[] } | { kind: 'too_small'; confirmed: number } | { kind: 'missing' };

/**
 * The atomic slot decisions, one Redis script each: of any number of concurrent joins to a task
 * with N places, exactly N are confirmed and the rest queue on the waitlist in arrival order.
 */
export interface SlotLedger {
  /** Put a task's state in the ledger unless it holds it already (rebuilding from MongoDB is safe to race). */
  load(taskId: string, state: LedgerState): Promise<boolean>;
  join(taskId: string, residentId: string): Promise<JoinOutcome>;
  /** Leave the roster (the first on the waitlist moves up while the task is open) or the waitlist. */
  leave(taskId: string, residentId: string): Promise<LeaveOutcome>;
  /** Change the number of places (never below those confirmed); more places move the waitlist up. */
  resize(taskId: string, capacity: number): Promise<ResizeOutcome>;
  /** No more joins or promotions (a cancelled task); answers false when the ledger does not hold it. */
  close(taskId: string): Promise<boolean>;
  state(taskId: string): Promise<LedgerState | null>;
}

/** Which task prompt each volunteer received last (a bare `1` answers it), for 24 hours. */
export interface TaskPrompts {
  /**
   * Record that these residents are prompted for the task: answers those not prompted for it
   * before (a second release reaches only newcomers), whose latest prompt it now is.
   */
  remember(taskId: string, residentIds: string[], prompt: TaskPromptFact): Promise<string[]>;
  latest(residentId: string): Promise<TaskPromptFact | null>;
}

/** The reminder before a task starts: one delayed job per task and start time. */
export interface TaskReminders {
  schedule(taskId: string, startsAt: Date, at: Date): Promise<void>;
  unschedule(taskId: string, startsAt: Date): Promise<void>;
}

export interface VolunteerDeps {
  models: Models;
  clock: Clock;
  places: PlaceDirectory;
  slots: SlotLedger;
  taskPrompts: TaskPrompts;
  reminders: TaskReminders;
  bulk: BulkMessages;
  /** A resident's volunteer status changed outside their conversation: a cached copy must pick it up. */
  residentChanged(residentId: string): Promise<void>;
  /** How long before a task starts its reminder goes out. */
  reminderLeadMs: number;
  log?: HandlerLog;
}

/** What a volunteer's own reply (join, leave) needs: no reminders, no staff. */
export type SlotDeps = Pick<VolunteerDeps, 'models' | 'clock' | 'places' | 'slots' | 'taskPrompts' | 'bulk' | 'log'>;
