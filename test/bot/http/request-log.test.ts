import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../bot/log.js';
import { serveTestApp, type ServedApp } from '../../support/runtime.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let app: ServedApp;
let base: string;
let token: string;

beforeAll(async () => {
  app = await serveTestApp({ dbPrefix: 'reqlog', log: createLogger('info', sink) });
  ({ base, token } = app);
});
afterAll(() => app?.close());

describe('request log', () => {
  it('logs each staff API call with who, status and time, never the query string', async () => {
    await fetch(`${base}/api/me?secret=13812345678`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${base}/api/me`);
    await new Promise((r) => setTimeout(r, 50));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/api/me', status: 200, role: 'committee', staffId: expect.any(String), ms: expect.any(Number) });
    expect(requests[1]).toMatchObject({ path: '/api/me', status: 401 });
    expect(JSON.stringify(lines)).not.toContain('secret=');
  });

  it('keeps health and webhook traffic out of the info log', async () => {
    const before = lines.length;
    await fetch(`${base}/healthz`);
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.slice(before).filter((l) => l.msg === 'request')).toEqual([]);
  });
});
