import type { Models } from '../../../models/index.js';
import type { Effect } from '../../../flows/engine/effects.js';
import type { Clock, HandlerLog } from '../../ports.js';
import type { PlaceDirectory } from '../../places/directory.js';
import type { BulkMessages } from '../../outbound/bulk-messages.js';
import type { SlotLedger, TaskPrompts } from '../../volunteers/ports.js';
import type { ResidentStore, ResidentView } from '../touch-resident.js';
import type { AllocationLedger } from '../../allocations/ledger.js';
import type { FactBase } from '../../rumors/ports.js';

/** Per-community, per-day ticket numbers from an atomic counter (Redis INCR on the rim). */
export interface TicketCounter {
  next(communityCode: string, day: string): Promise<number>;
}

/** Jobs the effects queue (idempotent: deterministic job ids). */
export interface InboundJobs {
  /** Tell the building's staff about a health alert (WeCom). */
  notifyAlert(alertId: string): Promise<void>;
  /** Tell the resident about a supply request's status change. */
  notifySupplyEvent(eventId: string): Promise<void>;
}

export interface EffectDeps {
  models: Models;
  places: PlaceDirectory;
  residents: ResidentStore;
  tickets: TicketCounter;
  jobs: InboundJobs;
  /** Stock, slot places and households' bookings of allocation rounds (Redis on the rim). */
  allocations: AllocationLedger;
  /** Volunteer task places (the atomic decisions) and who was prompted for what. */
  slots: SlotLedger;
  taskPrompts: TaskPrompts;
  /** The in-memory fact base (pending claims to join, changes to announce). */
  rumors: FactBase;
  /** Messages to other residents (a volunteer moved up from a waitlist, a fact-check for a late asker). */
  bulk: BulkMessages;
  clock: Clock;
  log?: HandlerLog;
}

/** Who and when an effect is for. */
export interface EffectContext {
  resident: ResidentView;
  now: Date;
  /** The community's time zone (for "today"). */
  timeZone: string;
  /** Unique per inbound message and effect: a retry of the same message finds what it wrote. */
  key: string;
}

/** Carries out one kind of effect; what it returns is handed to the replies as parameters. */
export type EffectHandler<T extends Effect['type']> = (
  deps: EffectDeps,
  effect: Extract<Effect, { type: T }>,
  ctx: EffectContext,
) => Promise<Record<string, unknown> | undefined>;
