/**
 * Shared by the broadcast tests: a real runtime (Redis, FerretDB) pointed at an in-process mock
 * WeChat API, residents, notices released through the real audit (four people), worker child
 * processes (`tsx bot/worker.ts`), and readings of the mock's call record.
 */
import { Types } from 'mongoose';
import { startMockWechatApi, type MockCall, type MockWechatApi, type MockWechatApiOptions } from '../../../scripts/mock-wechat-api.js';
import { startChild, type ProcessChild } from '../../support/child.js';
import { waitFor as waitForCondition } from '../../support/wait-for.js';
import { createTestRuntime, seedPlaces, TEST_ENV, type TestRuntime } from '../../support/runtime.js';
import type { Runtime } from '../../../bot/runtime.js';
import type { Models } from '../../../models/index.js';
import { residentIdFor } from '../../../models/resident.js';
import type { Notice, NoticeTargets } from '../../../models/notice.js';
import type { Duty, Role } from '../../../models/staff-user.js';
import type { Actor } from '../../../handlers/staff/access.js';
import type { NoticeDeps } from '../../../handlers/notices/deps.js';
import { createNotice } from '../../../handlers/notices/drafts.js';
import { cancelNotice, editNotice, releaseNotice, verifyNotice } from '../../../handlers/notices/audit-actions.js';
import { noticeProgress, type NoticeProgress } from '../../../handlers/notices/progress.js';
import { noticeDeliveries } from '../../../handlers/broadcast/records.js';
import { queueBroadcastPort } from '../../../bot/broadcast/queue-port.js';

export const TEMPLATE_ID = 'tmpl-notice-0001';

export interface BroadcastEnv {
  t: TestRuntime;
  rt: Runtime;
  mock: MockWechatApi;
  /** Environment for a worker child process on the same Redis, database and mock. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function broadcastEnv(prefix: string, o: { env?: Record<string, string>; mock?: MockWechatApiOptions } = {}): Promise<BroadcastEnv> {
  const mock = await startMockWechatApi({ port: 0, ...o.mock });
  const env = { WECHAT_API_BASE: mock.url, WECHAT_NOTICE_TEMPLATE_ID: TEMPLATE_ID, ...o.env };
  const t = await createTestRuntime({ dbPrefix: prefix, env });
  await seedPlaces(t.rt.models);
  return {
    t,
    rt: t.rt,
    mock,
    workerEnv: (extra = {}) => ({ ...TEST_ENV, REDIS_URL: t.config.REDIS_URL, MONGODB_URI: t.config.MONGODB_URI, ...env, ...extra }),
    close: async () => {
      await t.close();
      await mock.close();
    },
  };
}

export interface ResidentSpec {
  openid: string;
  building?: string;
  tags?: string[];
  vulnerable?: boolean;
  volunteer?: boolean;
  lastInboundAt?: Date;
  kfSent?: number;
  community?: string;
}

/** Insert registered, subscribed residents (ids as the webhook would give them). */
export async function seedResidents(models: Models, specs: ResidentSpec[]): Promise<void> {
  for (let i = 0; i < specs.length; i += 1000) {
    await models.Resident.insertMany(
      specs.slice(i, i + 1000).map((s) => ({
        _id: residentIdFor('wechat', s.openid),
        channel: 'wechat',
        openid: s.openid,
        subscribed: true,
        registration: { streetCode: 's1', communityCode: s.community ?? 'c1', buildingCode: s.building ?? 'b1' },
        isVulnerable: !!s.vulnerable,
        vulnerable: { elderlyAlone: !!s.vulnerable },
        volunteerStatus: s.volunteer ? 'approved' : 'none',
        tags: s.tags ?? [],
        lastInboundAt: s.lastInboundAt ?? null,
        kfSentSinceInbound: s.kfSent ?? 0,
      })),
      { lean: true },
    );
  }
}

export const openids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

let people = 0;
function person(duties: Duty[], role: Role = 'committee'): Actor {
  people++;
  return { id: new Types.ObjectId().toHexString(), name: `p${people}`, role, duties, scope: { streetCode: 's1', communityCode: 'c1' } };
}
const releaser = person(['release'], 'party');

export function noticeDeps(rt: Runtime): NoticeDeps {
  return { models: rt.models, clock: rt.clock, broadcast: queueBroadcastPort(rt.queues, rt.clock), log: rt.log };
}

/** Draft → verify → edit → release by four people; the release queues the fan-out. */
export async function releasedNotice(rt: Runtime, o: { title?: string; targets?: NoticeTargets; urgent?: boolean; sendAt?: Date } = {}): Promise<string> {
  const deps = noticeDeps(rt);
  const body = {
    title: o.title ?? '停水通知',
    body: '明天 8:00–12:00 停水，请提前储水。',
    targets: o.targets ?? { all: true },
    urgent: !!o.urgent,
    ...(o.sendAt ? { sendAt: o.sendAt.toISOString() } : {}),
  };
  const { id } = await createNotice(deps, person([]), body);
  await verifyNotice(deps, person(['verify']), id, {});
  await editNotice(deps, person(['edit']), id, {});
  const r = await releaseNotice(deps, releaser, id, {});
  if (!r.broadcastQueued) throw new Error('fan-out not queued');
  return id;
}

export async function cancel(rt: Runtime, id: string): Promise<void> {
  await cancelNotice(noticeDeps(rt), releaser, id, {});
}

export const notice = (rt: Runtime, id: string) => rt.models.Notice.findById(id).lean<Notice>();
/** Every delivery of the notice, as its batches' logs tell it. */
export const deliveries = (rt: Runtime, id: string) => noticeDeliveries(rt.models, id);
export const progress = (rt: Runtime, id: string): Promise<NoticeProgress> => noticeProgress(rt.models, id);

/** Successful notice sends (customer-service or template, errcode 0) per openid. */
export function successfulSends(calls: MockCall[]): Map<string, MockCall[]> {
  const out = new Map<string, MockCall[]>();
  for (const c of calls) {
    if ((c.endpoint !== 'custom_send' && c.endpoint !== 'template_send') || c.errcode !== 0) continue;
    const to = String((c.body as { touser?: unknown } | undefined)?.touser);
    out.set(to, [...(out.get(to) ?? []), c]);
  }
  return out;
}

export const sendCalls = (calls: MockCall[]) => calls.filter((c) => c.endpoint === 'custom_send' || c.endpoint === 'template_send');

/** support/wait-for's `waitFor` with this file's defaults (30 s, every 200 ms). */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  return waitForCondition(what, fn, timeoutMs, everyMs) as Promise<T>;
}

/** Wait until no delivery of the notice is pending or sending (and at least `total` exist). */
export function settled(rt: Runtime, id: string, total: number, timeoutMs = 40_000): Promise<NoticeProgress> {
  return waitFor(
    `notice ${id} to settle`,
    async () => {
      const p = await progress(rt, id);
      return p.total >= total && p.pending === 0 ? p : null;
    },
    timeoutMs,
    500,
  );
}

export type WorkerChild = ProcessChild;

/** `tsx bot/worker.ts` with `env`; resolves once its workers run. */
export function startWorker(env: Record<string, string>, timeoutMs = 20_000): Promise<WorkerChild> {
  // info: the start line is awaited
  return startChild('bot/worker.ts', { ...env, LOG_LEVEL: 'info' }, (out) => out.includes('workers running'), timeoutMs);
}
