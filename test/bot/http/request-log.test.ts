import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../bot/log.js';
import { serveTestApp, type ServedApp } from '../../support/runtime.js';
import { waitFor } from '../../support/wait-for.js';

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

const requestLines = () => lines.filter((l) => l.msg === 'request');

describe('request log', () => {
  it('logs each staff API call with who, status and time, never the query string', async () => {
    const before = requestLines().length;
    await fetch(`${base}/api/me?secret=13812345678`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${base}/api/me`);
    const requests = await waitFor('two request lines', () => {
      const r = requestLines().slice(before);
      return r.length >= 2 && r;
    });
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/api/me', status: 200, role: 'committee', staffId: expect.any(String), ms: expect.any(Number) });
    expect(requests[1]).toMatchObject({ path: '/api/me', status: 401 });
    expect(JSON.stringify(lines)).not.toContain('secret=');
  });

  it('keeps health and webhook traffic out of the info log', async () => {
    const before = lines.length;
    await fetch(`${base}/healthz`);
    await fetch(`${base}/wechat`);
    // A staff call after them: once its line is written, theirs would have been written before it.
    await fetch(`${base}/api/me?marker=1`);
    const logged = await waitFor('the marker line', () => {
      const after = lines.slice(before);
      return after.some((l) => l.msg === 'request' && l.path === '/api/me') && after;
    });
    expect(logged.filter((l) => l.msg === 'request')).toEqual([expect.objectContaining({ path: '/api/me', status: 401 })]);
  });
});
