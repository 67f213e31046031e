/**
 * Ports: what handlers need from the outside world, as plain function types. The rim (`bot/`)
 * implements them with BullMQ, Redis and the WeChat client; tests pass fakes. Handlers import
 * no I/O library.
 */

/** The current time; injected so tests and transcripts are deterministic. */
export interface Clock {
  now(): Date;
}

/** The few logger methods handlers use (pino's `Logger` satisfies it). */
export interface HandlerLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StartBroadcastOptions {
  urgent: boolean;
  /** Scheduled time; null (or a time already past) = start at once. */
  sendAt: Date | null;
}

/**
 * Start a released notice's broadcast (queue its fan-out). Must be idempotent per notice: calling
 * it twice for one notice starts one broadcast (the rim uses a deterministic job id).
 */
export type StartBroadcast = (noticeId: string, opts: StartBroadcastOptions) => Promise<void>;

/**
 * Withdraw a notice's fan-out that has not started yet (scheduled or waiting). Returns whether a
 * job was removed. A fan-out already running is stopped by the workers seeing `cancelled`.
 */
export type CancelBroadcast = (noticeId: string) => Promise<boolean>;

export interface BroadcastPort {
  startBroadcast: StartBroadcast;
  cancelBroadcast: CancelBroadcast;
}

/**
 * Short leases shared by every process (Redis `SET NX PX` on the rim): a race between two staff
 * is decided by who holds the lease, since FerretDB 1.x does not make a conditional update atomic.
 */
export interface Leases {
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Release only if still held by `owner`. */
  release(key: string, owner: string): Promise<void>;
}
