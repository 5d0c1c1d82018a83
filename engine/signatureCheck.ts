// Checking a downloaded model's graph without loading onnxruntime in the
// main process: a short-lived inference worker opens the file on the CPU,
// lists how its tensors differ from the ones expected, and stops. The
// model-pack fetcher runs this before installing a pack (a second or two,
// in a download of minutes); a graph that crashes onnxruntime takes the
// worker down, not the app.
import type { IoSpec } from './worker/models/manifestBase.js';
import { WorkerClient, type WorkerEntry } from './workerClient.js';

/** How the ONNX file at `path` differs from `io`; empty when it matches. */
export async function checkModelSignature(path: string, io: IoSpec, entry?: WorkerEntry): Promise<string[]> {
  const client = new WorkerClient({
    entry,
    cacheLimitBytes: 0,
    onFeatureState: () => undefined,
    onStateChange: () => undefined,
    onRestarted: async () => undefined,
  });
  try {
    return await client.call('checkSignature', { path, io }).answer;
  } finally {
    await client.close();
  }
}
