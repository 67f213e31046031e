import http from 'node:http';
import type Koa from 'koa';
import type { Logger } from './log.js';

export interface RunningServer {
  readonly server: http.Server;
  readonly url: string;
  /** Stop accepting, let in-flight requests finish (up to `timeoutMs`), then close sockets. */
  close(timeoutMs: number): Promise<void>;
}

/** Listen with in-flight request tracking so shutdown can wait for them. */
export async function listen(app: Koa, host: string, port: number, log: Logger): Promise<RunningServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const handler = app.callback();
  const server = http.createServer((req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    void handler(req, res);
  });
  // WeChat and load balancers keep connections alive; bound how long an idle one lingers.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as import('node:net').AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  log.info({ url }, 'listening');
  return {
    server,
    url,
    async close(timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        log.info({ inFlight }, 'waiting for in-flight requests');
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
