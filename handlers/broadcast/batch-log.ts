/**
 * A batch's log as one run appends to it.
 *
 * The writer is a group commit: a lane hands over the outcome it just learned and the member it
 * claims next, and waits until they are on disk. An entry is written once half the run's lanes
 * have handed something over, or GROUP_WINDOW_MS after the first of them, never two at a time;
 * so a batch costs a handful of inserts, not one write per recipient, and no send is ever more
 * than one write ahead of the log. After each entry the batch's figures go to the notice's tally
 * (and the lease is extended) in one Redis call.
 */
import { applyLogEntry, foldMemberStates, logEntryIdFor, type DeliveryLogEntry, type MemberOutcome, type MemberState } from '../../models/delivery-log.js';
import type { BatchRead } from './batch-read.js';
import type { BatchFigures, BatchRef, BroadcastDeps, Tally } from './ports.js';

/** Another run wrote the entry this one meant to write: it holds the batch now. */
export class LeaseLostError extends Error {
  constructor(batch: BatchRef) {
    super(`batch ${batch.batchNo} of notice ${batch.noticeId} was taken over by another run`);
    this.name = 'LeaseLostError';
  }
}

type LogDeps = Pick<BroadcastDeps, 'models' | 'store' | 'clock' | 'log'>;
interface Part {
  claims: number[];
  outcomes: MemberOutcome[];
  done(err?: unknown): void;
}

/** How often a run extends its lease while no entry is written (e.g. every lane waits for the rate limit). */
const RENEW_EVERY = 3;
/** The longest a handed-over outcome or claim waits for others to share its write. */
export const GROUP_WINDOW_MS = 2;
/** A write after a send is retried briefly (FerretDB answers SQLITE_BUSY under load). */
const RETRY_DELAYS_MS = [50, 250, 1000];

/** The log of one batch as one run appends to it, with the batch's deliveries kept current. */
export class BatchLog {
  readonly deliveries: MemberState[];
  /** The notice's tally after this run's last entry. */
  tally: Tally | null = null;
  /** Another run holds the lease now: stop claiming. */
  leaseLost = false;
  /** The write that failed for good; every later commit fails with it. */
  failed: unknown = null;
  /** Outcomes learned but not written (a write failed): the sent ones become sent-notes. */
  readonly unrecorded: MemberOutcome[] = [];
  /** Write as soon as this many parts wait (the run sets it to half its lanes). */
  groupSize = 1;
  private window: NodeJS.Timeout | null = null;
  private seq: number;
  private queue: Part[] = [];
  private writing: Promise<void> | null = null;
  private recording: Promise<void> | null = null;
  private recordAgain = false;
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly deps: LogDeps,
    private readonly ref: BatchRef,
    private readonly read: BatchRead,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {
    this.deliveries = foldMemberStates(read.batch.members.length, read.entries);
    this.seq = read.entries.length;
    this.renewal = setInterval(() => void this.recordFigures(), Math.max(50, Math.floor(leaseMs / RENEW_EVERY)));
    this.renewal.unref();
  }

  /** Write `claims` and `outcomes` (with whatever else is waiting) as one entry; resolves once it is on disk. */
  commit(claims: number[], outcomes: MemberOutcome[]): Promise<void> {
    if (this.failed) {
      this.unrecorded.push(...outcomes);
      return Promise.reject(this.failed);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ claims, outcomes, done: (err) => (err ? reject(err) : resolve()) });
      this.schedule();
    });
  }

  /** Wait for pending writes, put the batch's final figures in the tally, stop renewing the lease. */
  async settle(): Promise<void> {
    while (this.writing || this.queue.length || this.recording) {
      if (!this.writing && this.queue.length) this.write();
      await (this.writing ?? this.recording);
    }
    clearInterval(this.renewal);
    await this.recordFigures();
  }

  close(): void {
    clearInterval(this.renewal);
    if (this.window) clearTimeout(this.window);
  }

  /** Start a write now if enough parts wait, else once the window since the first of them ends. */
  private schedule(): void {
    if (this.writing || !this.queue.length) return;
    if (this.queue.length >= this.groupSize) {
      this.write();
      return;
    }
    this.window ??= setTimeout(() => {
      this.window = null;
      if (!this.writing && this.queue.length) this.write();
    }, GROUP_WINDOW_MS);
  }

  private write(): void {
    if (this.window) clearTimeout(this.window);
    this.window = null;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      this.schedule();
    });
  }

  figures(): BatchFigures & { size: number } {
    let sent = 0;
    let failed = 0;
    for (const d of this.deliveries) {
      if (d.status === 'sent') sent++;
      else if (d.status === 'failed') failed++;
    }
    return { sent, failed, size: this.deliveries.length };
  }

  /** One entry with everything waiting. */
  private async drain(): Promise<void> {
    const parts = this.queue.splice(0);
    const entry: DeliveryLogEntry = {
      _id: logEntryIdFor(this.read.batch._id, this.seq),
      batchId: this.read.batch._id,
      noticeId: this.read.batch.noticeId,
      batchNo: this.ref.batchNo,
      seq: this.seq,
      run: this.owner,
      at: this.deps.clock.now(),
      claims: parts.flatMap((p) => p.claims),
      outcomes: parts.flatMap((p) => p.outcomes),
    };
    try {
      await this.insert(entry);
    } catch (err) {
      this.failed = err;
      for (const p of [...parts, ...this.queue.splice(0)]) {
        this.unrecorded.push(...p.outcomes);
        p.done(err);
      }
      return;
    }
    this.seq += 1;
    applyLogEntry(this.deliveries, entry);
    for (const p of parts) p.done();
    this.recordSoon();
  }

  /** The figures after this entry, without holding up the next write (one call in flight; figures only grow). */
  private recordSoon(): void {
    if (this.recording) {
      this.recordAgain = true;
      return;
    }
    this.recording = this.recordFigures().finally(() => {
      this.recording = null;
      if (this.recordAgain) {
        this.recordAgain = false;
        this.recordSoon();
      }
    });
  }

  private async insert(entry: DeliveryLogEntry): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await this.deps.models.DeliveryLog.collection.insertOne(entry);
        return;
      } catch (err) {
        if (isDuplicateKey(err)) {
          // Ours if an earlier try went through after all; else the sequence number was taken.
          const there = await this.deps.models.DeliveryLog.findById(entry._id, { run: 1 }).lean<{ run: string }>();
          if (there?.run === this.owner) return;
          this.leaseLost = true;
          throw new LeaseLostError(this.ref);
        }
        if (i >= RETRY_DELAYS_MS.length) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
      }
    }
  }

  /** Tally and lease in one call; a failure is only logged (the figures are cumulative: the next call catches up). */
  private async recordFigures(): Promise<void> {
    try {
      const r = await this.deps.store.record(this.ref, this.owner, this.leaseMs, this.figures());
      this.tally = r.tally;
      if (!r.leaseHeld) this.leaseLost = true;
    } catch (err) {
      this.deps.log?.warn({ err, ...this.ref }, 'could not record batch figures; the next write will');
    }
  }
}

export function isDuplicateKey(err: unknown): boolean {
  type WriteError = { code?: number; err?: { code?: number } };
  const e = err as (WriteError & { writeErrors?: WriteError[] }) | null;
  if (!e || typeof e !== 'object') return false;
  const errors: WriteError[] = e.writeErrors?.length ? e.writeErrors : [e];
  return errors.every((w) => (w.code ?? w.err?.code) === 11000);
}
