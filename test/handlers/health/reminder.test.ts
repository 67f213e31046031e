/**
 * The daily reminder: at HEALTH_REMINDER_AT in the community's time zone, registered residents
 * who have not reported that day get one message; before that time nothing; once a day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { placeDirectory } from '../../../handlers/places/directory.js';
import { remindHealthReports } from '../../../handlers/health/reminder.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { bulkMessagesWorker } from '../../../bot/workers/bulk-messages.js';
import { healthReportIdFor } from '../../../models/health-report.js';
import { residentIdFor } from '../../../models/resident.js';
import { broadcastEnv, seedResidents, type BroadcastEnv } from '../broadcast/helpers.js';
import { waitFor } from '../../support/wait-for.js';

let env: BroadcastEnv;
let worker: Worker;
let now = new Date('2026-11-28T11:59:00Z'); // 19:59 in Shanghai
const clock = { now: () => now };

beforeAll(async () => {
  env = await broadcastEnv('health_reminder');
  await seedResidents(env.rt.models, [{ openid: 'oReported' }, { openid: 'oForgot' }, { openid: 'oElsewhere', community: 'c3' }]);
  await env.rt.models.HealthReport.collection.insertOne({
    _id: healthReportIdFor(String(residentIdFor('wechat', 'oReported')), '2026-11-28'),
    residentId: residentIdFor('wechat', 'oReported'),
    communityCode: 'c1',
    buildingCode: 'b1',
    date: '2026-11-28',
  } as never);
  worker = bulkMessagesWorker(env.rt);
});

afterAll(async () => {
  await worker?.close();
  await env?.close();
});

const sendsTo = (openid: string) => env.mock.calls().filter((c) => c.errcode === 0 && (c.body as { touser?: string })?.touser === openid);

describe('health reminder', () => {
  it('reminds the registered residents of a community who have not reported, once, from the configured local time', async () => {
    const deps = {
      models: env.rt.models,
      places: placeDirectory(env.rt.models, clock),
      bulk: queueBulkMessages(env.rt.redis, env.rt.queues.bulkMessages),
      clock,
      at: '20:00',
    };
    expect(await remindHealthReports(deps)).toEqual([]);
    now = new Date('2026-11-28T12:01:00Z'); // 20:01
    expect(await remindHealthReports(deps)).toEqual([
      { community: 'c1', date: '2026-11-28', residents: 1 },
      { community: 'c2', date: '2026-11-28', residents: 0 },
      { community: 'c3', date: '2026-11-28', residents: 1 },
    ]);
    await waitFor('the reminders', () => sendsTo('oForgot').length === 1 && sendsTo('oElsewhere').length === 1);
    expect(JSON.stringify(sendsTo('oForgot')[0]!.body)).toContain('健康上报');
    expect(await remindHealthReports(deps)).toEqual([]); // once a day
    expect(sendsTo('oReported')).toEqual([]);
    expect(await remindHealthReports({ ...deps, at: 'off' })).toEqual([]);
  });
});
