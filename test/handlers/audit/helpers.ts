/**
 * Shared by the audit handler tests: a fresh FerretDB database with the place tree, staff actors
 * built in memory (the handlers take an `Actor`, no token needed) and a recording broadcast port.
 */
import { Types, type Connection } from 'mongoose';
import { connectMongo } from '../../../bot/connect.js';
import { createLogger } from '../../../bot/log.js';
import { bindModels, syncIndexes, type Models } from '../../../models/index.js';
import type { Duty, Role } from '../../../models/staff-user.js';
import type { Actor } from '../../../handlers/staff/access.js';
import type { NoticeDeps } from '../../../handlers/notices/deps.js';
import { AppError } from '../../../handlers/errors.js';
import type { BroadcastPort, StartBroadcastOptions } from '../../../handlers/ports.js';
import { seedPlaces } from '../../support/runtime.js';
import { mongoUri } from '../../support/services.js';

export interface AuditTestDb {
  uri: string;
  db: Connection;
  models: Models;
  close(): Promise<void>;
}

export async function openAuditDb(prefix: string): Promise<AuditTestDb> {
  const uri = mongoUri(prefix);
  const db = await connectMongo(uri, 10_000, createLogger('silent'));
  const models = bindModels(db);
  await syncIndexes(models);
  await seedPlaces(models);
  return { uri, db, models, close: () => db.close() };
}

let n = 0;
/** A staff actor of community c1 (street s1) unless a scope is given. */
export function actor(name: string, duties: Duty[] = [], o: { role?: Role; scope?: Actor['scope'] } = {}): Actor {
  n++;
  return {
    id: new Types.ObjectId().toHexString(),
    name: `${name}-${n}`,
    role: o.role ?? 'committee',
    duties,
    scope: o.scope ?? { streetCode: 's1', communityCode: 'c1' },
  };
}

export interface RecordingPort extends BroadcastPort {
  started: Array<{ noticeId: string } & StartBroadcastOptions>;
  cancelled: string[];
}

export function recordingPort(): RecordingPort {
  const port: RecordingPort = {
    started: [],
    cancelled: [],
    async startBroadcast(noticeId, opts) {
      port.started.push({ noticeId, ...opts });
    },
    async cancelBroadcast(noticeId) {
      port.cancelled.push(noticeId);
      return true;
    },
  };
  return port;
}

export function noticeDeps(models: Models, broadcast: BroadcastPort = recordingPort()): NoticeDeps {
  return { models, clock: { now: () => new Date() }, broadcast };
}

export const sampleNotice = (over: Record<string, unknown> = {}) => ({
  title: '停水通知',
  body: '明天 8:00–12:00 停水，请提前储水。',
  targets: { all: true },
  ...over,
});

/** The AppError code a promise rejects with (it fails the test when the promise succeeds). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected an AppError, got success');
}
