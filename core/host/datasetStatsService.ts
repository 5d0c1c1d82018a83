// The dataset view's figures for one open project, kept ready off the host's
// thread. Counting scans every annotation (a third of a second and more on a
// 10,000-image project), so it runs in a thread of its own
// (core/statsWorker) on its own read-only connection: it starts when the
// project opens, so the view's first click finds the figures counted, and
// again in the background after edits, so they stay fresh. Figures are
// tagged with the database state they were counted from (databaseState);
// they are current while that state holds, and are never answered as current
// after any write (this host's, or another program's).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

import { AppError, type DatasetStats } from '../../common/contract/index.js';
import { startWorker, type WorkerEntry } from '../../engine/workerClient.js';
import type { CountAnswer, CountedStats, CountRequest, StatsWorkerData } from '../statsWorker/protocol.js';
import { databaseState } from '../store/datasetStats.js';
import type { Project } from '../store/project.js';

/** How often the database state is looked at. */
export const STATS_POLL_MS = 250;
/**
 * A change is counted at the first tick that sees it, unless a count started
 * less than this long ago; then once the state has held for a whole tick. So
 * one edit is counted at once, and a stream of writes (an auto-label job) costs
 * at most one count per this interval, plus one when it ends.
 */
export const STATS_MIN_GAP_MS = 2000;

/** The bundled thread next to the bundled main (or CLI), or its TypeScript source when running from source. */
export function defaultStatsWorkerEntry(): WorkerEntry {
  const bundled = join(__dirname, 'statsWorker.cjs');
  return { path: existsSync(bundled) ? bundled : join(__dirname, '..', 'statsWorker', 'statsWorker.ts') };
}

interface Counted {
  state: string;
  stats: CountedStats;
}

interface Running {
  state: string;
  answer: Promise<Counted>;
}

export interface DatasetStatsServiceOptions {
  entry?: WorkerEntry;
  pollMs?: number;
  minGapMs?: number;
}

export class DatasetStatsService {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (stats: CountedStats) => void; reject: (error: Error) => void }>();
  private latest: Counted | null = null;
  private running: Running | null = null;
  /** The state seen at the last tick, and the last state whose background count failed (not retried until it changes). */
  private seen: string;
  private failedState: string | null = null;
  private lastStart = -Infinity;
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly project: Project,
    private readonly options: DatasetStatsServiceOptions = {},
  ) {
    // Counting starts now, so the view's first click finds the figures ready.
    this.seen = this.state();
    this.background(this.seen);
    this.timer = setInterval(() => this.tick(), options.pollMs ?? STATS_POLL_MS);
    this.timer.unref();
  }

  /**
   * The figures. 'wait': figures counted from a snapshot taken after this
   * call (the ones in memory when nothing changed since). 'last': the last
   * figures at once, with `current: false` when the project changed since
   * (a new count is then under way); it waits only when there are none yet.
   */
  async stats(whileCounting: 'wait' | 'last' = 'wait'): Promise<DatasetStats> {
    if (whileCounting === 'last' && this.latest) {
      const current = this.latest.state === this.state();
      if (!current) this.background(this.state());
      return { ...this.latest.stats, current };
    }
    const counted = await this.fresh();
    return { ...counted.stats, current: counted.state === this.state() };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.failPending('no_project', 'The project was closed while its dataset figures were being counted.');
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** For tests: ends the thread as a crash would (its calls fail with a clear error; the next count starts a new one). */
  async crashForTest(): Promise<void> {
    await this.worker?.terminate();
  }

  private state(): string {
    if (this.closed || !this.project.db.open)
      throw new AppError('no_project', 'The project was closed; open it again to see its dataset figures.');
    return databaseState(this.project.db, this.project.sizeOnlyChanges);
  }

  /** Figures counted at or after this call's state; at most two counts even while writes go on. */
  private async fresh(): Promise<Counted> {
    for (;;) {
      const now = this.state();
      if (this.latest?.state === now) return this.latest;
      if (this.running?.state === now) return this.running.answer;
      if (this.running) await this.running.answer.catch(() => undefined);
      else void this.count(now); // the next turn answers it, as this.running
    }
  }

  private tick(): void {
    let now: string;
    try {
      now = this.state();
    } catch {
      return; // closing
    }
    const settled = now === this.seen;
    this.seen = now;
    if (now === this.latest?.state || now === this.failedState || this.running) return;
    if (settled || performance.now() - this.lastStart >= (this.options.minGapMs ?? STATS_MIN_GAP_MS)) this.background(now);
  }

  /** A count nobody waits for: its failure is kept from being retried on every tick. */
  private background(state: string): void {
    if (this.running) return;
    this.count(state).catch(() => {
      this.failedState = state;
    });
  }

  private count(state: string): Promise<Counted> {
    const seq = ++this.seq;
    this.lastStart = performance.now();
    const answer = new Promise<CountedStats>((resolve, reject) => {
      const worker = this.thread();
      this.pending.set(seq, { resolve, reject });
      worker.ref(); // a count in flight keeps the process alive; an idle thread never does (a finished test, a CLI run)
      const request: CountRequest = { seq };
      worker.postMessage(request);
    }).then((stats) => {
      const counted = { state, stats };
      this.latest = counted;
      return counted;
    });
    const running = { state, answer };
    this.running = running;
    const done = () => {
      if (this.running === running) this.running = null;
    };
    answer.then(done, done);
    return answer;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const data: StatsWorkerData = { file: this.project.db.name };
    const worker = startWorker(this.options.entry ?? defaultStatsWorkerEntry(), data);
    worker.on('message', (answer: CountAnswer) => {
      const call = this.pending.get(answer.seq);
      if (!call) return;
      this.pending.delete(answer.seq);
      if (this.pending.size === 0) worker.unref();
      if (answer.result.ok) call.resolve(answer.result.value);
      else call.reject(new AppError(answer.result.error.code, answer.result.error.message));
    });
    const died = (why: string) => {
      if (this.worker !== worker) return; // 'error' is followed by 'exit'; a closed service expects the exit
      this.worker = null; // the next count starts a new thread
      this.failPending('internal', `The thread counting the dataset figures stopped (${why}). Try again.`);
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failPending(code: 'internal' | 'no_project', message: string): void {
    for (const [seq, call] of this.pending) {
      this.pending.delete(seq);
      call.reject(new AppError(code, message));
    }
  }
}
