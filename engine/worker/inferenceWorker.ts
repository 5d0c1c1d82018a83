// Entry of the inference worker thread. It owns the onnxruntime sessions and
// the feature cache; calls run one at a time, interactive ones before
// prefetch, prefetch before background jobs (a click never waits behind more
// than the one call already running),
// and queued calls can be cancelled.
import { parentPort, workerData } from 'node:worker_threads';

import { AppError, fail, ok, type Result } from '../../common/contract/index.js';
import { CANCELLED_MESSAGE, type FromWorker, type Priority, type ToWorker, type WorkerCallKind } from '../protocol.js';
import { WorkerCalls } from './workerCalls.js';

interface QueuedCall {
  seq: number;
  kind: WorkerCallKind;
  priority: Priority;
  payload: unknown;
}

const port = parentPort;
if (!port) throw new Error('inferenceWorker must run as a worker thread');

const { cacheLimitBytes } = workerData as { cacheLimitBytes: number };
const calls = new WorkerCalls(cacheLimitBytes);
const queue: QueuedCall[] = [];
let running = false;
/** The calls being run (a background call waiting at a checkpoint while a click runs, and that click), and whether each was cancelled (then it has been answered already). */
const active = new Map<number, { cancelled: boolean }>();

/** Thrown at a checkpoint of a cancelled call to stop its work early. */
class Cancelled extends Error {}

const send = (message: FromWorker): void => port.postMessage(message);

const PRIORITY_ORDER: readonly Priority[] = ['interactive', 'prefetch', 'background'];

function nextCall(): QueuedCall | undefined {
  for (const priority of PRIORITY_ORDER) {
    const index = queue.findIndex((c) => c.priority === priority);
    if (index >= 0) return queue.splice(index, 1)[0];
  }
  return undefined;
}

async function run(call: QueuedCall): Promise<Result<unknown>> {
  const mine = active.get(call.seq);
  const context = {
    // Progress reports are the checkpoints of long work: a cancelled call stops at the next one.
    progress: (done: number, total: number) => {
      if (mine?.cancelled) throw new Cancelled();
      send({ type: 'progress', seq: call.seq, done, total });
    },
    // Background work (an auto-label job) lets the clicks queued meanwhile run first, between its decoder runs.
    checkpoint: async () => {
      if (mine?.cancelled) throw new Cancelled();
      if (call.priority === 'background') {
        // Let messages that arrived during synchronous work in (a click is a message), then run the clicks queued.
        await new Promise((resolve) => setImmediate(resolve));
        await runInteractive();
      }
      if (mine?.cancelled) throw new Cancelled();
    },
    featureState: (imageId: number, state: 'queued' | 'encoding' | 'ready' | 'failed', message: string | null) =>
      send({ type: 'encoding', imageId, state, priority: call.priority, message }),
  };
  try {
    // The protocol pairs each kind with its payload; the main side builds them from typed calls.
    const impl = calls.table[call.kind] as (payload: unknown, ctx: typeof context) => Promise<unknown>;
    return ok(await impl(call.payload, context));
  } catch (error) {
    if (error instanceof Cancelled) return fail('conflict', CANCELLED_MESSAGE);
    if (error instanceof AppError) return fail(error.code, error.message, error.path);
    return fail('internal', `${call.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** One call to its end: answered unless it was cancelled meanwhile (then it has been answered already). */
async function runToEnd(call: QueuedCall): Promise<void> {
  const mine = { cancelled: false };
  active.set(call.seq, mine);
  const result = await run(call);
  active.delete(call.seq);
  if (!mine.cancelled) send({ type: 'result', seq: call.seq, result });
}

/** Interactive calls a background call may let run at its checkpoints: a model load waits (it would release the sessions the background call is using). */
const mayRunInside = (c: QueuedCall): boolean => c.priority === 'interactive' && c.kind !== 'load';

/** Runs the interactive calls queued now, inside a background call's checkpoint. */
async function runInteractive(): Promise<void> {
  for (let index = queue.findIndex(mayRunInside); index >= 0; index = queue.findIndex(mayRunInside)) {
    await runToEnd(queue.splice(index, 1)[0]!);
  }
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let call = nextCall(); call; call = nextCall()) await runToEnd(call);
  } finally {
    running = false;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'call') {
    queue.push({ seq: message.seq, kind: message.kind, priority: message.priority, payload: message.payload });
    void pump();
    return;
  }
  for (const seq of message.seqs) {
    const running = active.get(seq);
    if (running && !running.cancelled) {
      // onnxruntime cannot stop a run: answer now, stop at the next checkpoint, drop the result.
      running.cancelled = true;
      send({ type: 'result', seq, result: fail('conflict', CANCELLED_MESSAGE) });
      continue;
    }
    const index = queue.findIndex((c) => c.seq === seq);
    if (index < 0) continue; // done already
    queue.splice(index, 1);
    send({ type: 'result', seq, result: fail('conflict', CANCELLED_MESSAGE) });
  }
});

send({ type: 'ready' });
