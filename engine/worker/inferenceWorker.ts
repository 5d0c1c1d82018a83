// Entry of the inference worker thread. It owns the onnxruntime sessions and
// the feature cache; calls run one at a time, interactive ones before
// prefetch (a click never waits behind more than the encode already running),
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
/** The call being run, and whether it was cancelled (then it has been answered already). */
let current: { seq: number; cancelled: boolean } | null = null;

/** Thrown at a checkpoint of a cancelled call to stop its work early. */
class Cancelled extends Error {}

const send = (message: FromWorker): void => port.postMessage(message);

function nextCall(): QueuedCall | undefined {
  const interactive = queue.findIndex((c) => c.priority === 'interactive');
  return queue.splice(interactive >= 0 ? interactive : 0, 1)[0];
}

async function run(call: QueuedCall): Promise<Result<unknown>> {
  const context = {
    // Progress reports are the checkpoints of long work: a cancelled call stops at the next one.
    progress: (done: number, total: number) => {
      if (current?.cancelled) throw new Cancelled();
      send({ type: 'progress', seq: call.seq, done, total });
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

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let call = nextCall(); call; call = nextCall()) {
      current = { seq: call.seq, cancelled: false };
      const result = await run(call);
      if (!current.cancelled) send({ type: 'result', seq: call.seq, result });
      current = null;
    }
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
    if (current?.seq === seq && !current.cancelled) {
      // onnxruntime cannot stop a run: answer now, stop at the next checkpoint, drop the result.
      current.cancelled = true;
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
