/**
 * The conversation's ports from the runtime, built once per process and shared by the webhook
 * and the workers that run a message (the rescue job): residents (cached in Redis, written back
 * to MongoDB by the workers), sessions and leases in Redis,
 * places, facts, effects and the jobs effects queue.
 */
import type { Queue } from 'bullmq';
import { conversation } from '../flows/conversation.js';
import type { Language } from '../flows/engine/types.js';
import type { InboundDeps } from '../handlers/inbound/handle-inbound.js';
import type { InboundJobs, TicketCounter } from '../handlers/inbound/effects/index.js';
import { placeDirectory, type PlaceDirectory } from '../handlers/places/directory.js';
import { gateDirectory, type GateDirectory } from '../handlers/gates/directory.js';
import { redisAllocationLedger } from './allocations/ledger.js';
import { textsOf, translator } from './i18n.js';
import { queueBulkMessages } from './outbound/bulk-messages.js';
import { redisSlotLedger } from './volunteers/slot-ledger.js';
import { redisTaskPrompts } from './volunteers/task-prompts.js';
import { redisConversationStore } from './pipeline/session-store.js';
import { cachedResidentStore } from './residents/cache.js';
import type { Runtime } from './runtime.js';
import { lazyFactBase } from './rumors/live-base.js';

const RETRIES = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Job ids are the record's id: queueing twice is one job. */
export const alertJobId = (alertId: string) => `alert-${alertId}`;
export const supplyEventJobId = (eventId: string) => `supply-event-${eventId}`;

export function inboundJobs(queues: { alertNotify: Queue; supplyNotify: Queue }): InboundJobs {
  return {
    notifyAlert: async (alertId) => void (await queues.alertNotify.add('alert', { alertId }, { jobId: alertJobId(alertId), ...RETRIES })),
    notifySupplyEvent: async (eventId) => void (await queues.supplyNotify.add('supply-event', { eventId }, { jobId: supplyEventJobId(eventId), ...RETRIES })),
  };
}

/** `S-…` ticket numbers: one Redis counter per community and day (kept a few days past it). */
export function redisTicketCounter(rt: Runtime): TicketCounter {
  return {
    async next(community, day) {
      const key = `linli:ticket:${community}:${day}`;
      const [[, n]] = (await rt.redis
        .multi()
        .incr(key)
        .expire(key, 7 * 24 * 3600)
        .exec()) as [[unknown, number], unknown];
      return n;
    },
  };
}

const places = new WeakMap<Runtime, PlaceDirectory>();
/** One place directory (and its cache) per runtime. */
export function placesOf(rt: Runtime): PlaceDirectory {
  let p = places.get(rt);
  if (!p) places.set(rt, (p = placeDirectory(rt.models, rt.clock)));
  return p;
}

const gates = new WeakMap<Runtime, GateDirectory>();
/** One gate directory (and its cache) per runtime. */
export function gatesOf(rt: Runtime): GateDirectory {
  let g = gates.get(rt);
  if (!g) gates.set(rt, (g = gateDirectory(rt.models, placesOf(rt), rt.clock)));
  return g;
}

const deps = new WeakMap<Runtime, InboundDeps>();
export function inboundDeps(rt: Runtime): InboundDeps {
  let d = deps.get(rt);
  if (d) return d;
  let leases = 0;
  const prefix = `${process.pid}-${rt.ids.random(4)}`;
  d = {
    spec: conversation,
    models: rt.models,
    places: placesOf(rt),
    gates: gatesOf(rt),
    allocations: redisAllocationLedger(rt.redis),
    residents: cachedResidentStore({ redis: rt.hot, models: rt.models, writeBackMs: rt.config.RESIDENT_WRITE_BACK_MS }),
    conversations: redisConversationStore(rt.hot),
    tickets: redisTicketCounter(rt),
    jobs: inboundJobs(rt.queues),
    slots: redisSlotLedger(rt.redis),
    taskPrompts: redisTaskPrompts(rt.redis),
    rumors: lazyFactBase(rt),
    bulk: queueBulkMessages(rt.redis, rt.queues.bulkMessages),
    texts: textsOf(rt.i18n),
    translate: (language: Language) => translator(rt.i18n, language),
    owner: () => `${prefix}#${++leases}`,
    clock: rt.clock,
    log: rt.log,
  };
  deps.set(rt, d);
  return d;
}
