// Main-process side of the inference worker: numbered calls, answers matched
// by seq, progress forwarded, and a worker that dies is restarted while the
// calls it held fail with a clear message (never hang).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { AppError, type FeatureState } from '../common/contract/index.js';
import type { CallAnswer, CallPayload, FromWorker, Priority, ToWorker, WorkerCallKind } from './protocol.js';

export interface WorkerEntry {
  /** A .cjs file, or a .ts source file run through tsx's require hook (tests, scripts). */
  path: string;
}

/** The bundled worker next to the bundled main, or the TypeScript source when running from source. */
export function defaultWorkerEntry(): WorkerEntry {
  const bundled = join(__dirname, 'inferenceWorker.cjs');
  return { path: existsSync(bundled) ? bundled : join(__dirname, 'worker', 'inferenceWorker.ts') };
}

/** Starts a worker thread on a bundled .cjs entry, or on a .ts source through tsx (also the host's dataset-figures thread). */
export function startWorker(entry: WorkerEntry, workerData: unknown): Worker {
  if (!entry.path.endsWith('.ts')) return new Worker(entry.path, { workerData });
  // Node's worker loader does not inherit tsx's hooks: register them inside the thread first.
  const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(entry.path)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export interface WorkerClientOptions {
  entry?: WorkerEntry;
  cacheLimitBytes: number;
  onFeatureState: (imageId: number, state: FeatureState, priority: Priority, message: string | null) => void;
  onStateChange: (state: 'starting' | 'ready' | 'restarting' | 'failed', message: string | null) => void;
  /** Runs on each fresh worker after a restart (reload the model), before queued calls are sent. */
  onRestarted: () => Promise<void>;
}

interface Pending {
  kind: WorkerCallKind;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface CallOptions {
  priority?: Priority;
  onProgress?: (done: number, total: number) => void;
  /** Aborting cancels the call (queued: dropped; running: answered at once, stopped at its next checkpoint). */
  signal?: AbortSignal;
}

/** Restarts allowed within RESTART_WINDOW_MS before the worker is declared failed. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export class WorkerClient {
  private worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closing = false;
  private restarts: number[] = [];
  private failed: string | null = null;
  /** Resolves once the current worker (re)started and its model is loaded. */
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: WorkerClientOptions) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const entry = this.options.entry ?? defaultWorkerEntry();
    const worker = startWorker(entry, { cacheLimitBytes: this.options.cacheLimitBytes });
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.died(worker, `error: ${error.message}`));
    worker.on('exit', (code) => this.died(worker, `exit code ${code}`));
    return worker;
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'result': {
        const call = this.pending.get(message.seq);
        if (!call) return;
        this.pending.delete(message.seq);
        if (message.result.ok) call.resolve(message.result.value);
        else call.reject(new AppError(message.result.error.code, message.result.error.message, message.result.error.path));
        return;
      }
      case 'progress':
        this.pending.get(message.seq)?.onProgress?.(message.done, message.total);
        return;
      case 'encoding':
        this.options.onFeatureState(message.imageId, message.state, message.priority, message.message);
        return;
      case 'ready':
        return;
    }
  }

  private died(worker: Worker, why: string): void {
    if (worker !== this.worker || this.closing) return;
    // 'error' is followed by 'exit'; handle the first only.
    this.worker = undefined as unknown as Worker;
    const message = `The inference worker stopped unexpectedly (${why}); it is being restarted. Try again.`;
    for (const [seq, call] of this.pending) {
      this.pending.delete(seq);
      call.reject(new AppError('internal', message));
    }
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      this.failed = `The inference worker stopped ${this.restarts.length} times in a minute (last: ${why}); AI features are off until the app restarts.`;
      this.options.onStateChange('failed', this.failed);
      return;
    }
    this.options.onStateChange('restarting', message);
    this.worker = this.spawn();
    this.ready = this.options.onRestarted().then(
      () => this.options.onStateChange('ready', null),
      (error: unknown) => this.options.onStateChange('failed', `Restarted worker could not load the model: ${(error as Error).message}`),
    );
  }

  /** Sends one call; `seq` lets the caller cancel it while it is still queued. */
  call<K extends WorkerCallKind>(
    kind: K,
    payload: CallPayload<K>,
    options: CallOptions = {},
  ): { seq: number; answer: Promise<CallAnswer<K>> } {
    const seq = ++this.seq;
    const answer = new Promise<CallAnswer<K>>((resolve, reject) => {
      if (this.failed) {
        reject(new AppError('internal', this.failed));
        return;
      }
      this.pending.set(seq, { kind, resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress });
      const message: ToWorker = { type: 'call', seq, kind, priority: options.priority ?? 'interactive', payload };
      this.worker.postMessage(message);
    });
    const { signal } = options;
    if (signal) {
      const abort = () => this.cancel([seq]);
      if (signal.aborted) abort();
      else {
        signal.addEventListener('abort', abort, { once: true });
        void answer.finally(() => signal.removeEventListener('abort', abort)).catch(() => undefined);
      }
    }
    return { seq, answer };
  }

  /** Like call(), but waits for a restarted worker to have its model back first. */
  async callWhenReady<K extends WorkerCallKind>(kind: K, payload: CallPayload<K>, options: CallOptions = {}): Promise<CallAnswer<K>> {
    await this.ready;
    return this.call(kind, payload, options).answer;
  }

  cancel(seqs: number[]): void {
    if (seqs.length === 0 || !this.worker) return;
    const message: ToWorker = { type: 'cancel', seqs };
    this.worker.postMessage(message);
  }

  /** Sequence numbers of the unanswered calls of these kinds (to cancel long work). */
  pendingSeqs(kinds: readonly WorkerCallKind[]): number[] {
    return [...this.pending].filter(([, call]) => kinds.includes(call.kind)).map(([seq]) => seq);
  }

  /** For tests and diagnostics: kills the worker as a crash would. */
  async crashForTest(): Promise<void> {
    await this.worker.terminate();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const [seq, call] of this.pending) {
      this.pending.delete(seq);
      call.reject(new AppError('internal', 'The inference engine was shut down.'));
    }
    await this.worker?.terminate();
  }
}
