// Background calls in the inference worker (an auto-label job's image): a
// click queued meanwhile runs at the job's next checkpoint instead of after
// it, and cancelling stops it at a checkpoint.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AppError } from '../../../common/contract/index.js';
import type { AutolabelPayload, WorkerImage } from '../../../engine/protocol.js';
import { WorkerClient } from '../../../engine/workerClient.js';
import { MODEL_DIR, readSamples, SAMPLES_DIR } from '../models/cocoGt.js';

describe('background calls in the inference worker', () => {
  let client: WorkerClient;
  let job: AutolabelPayload;
  let image: WorkerImage;

  before(async () => {
    client = new WorkerClient({
      cacheLimitBytes: 64 * 1024 * 1024,
      onFeatureState: () => undefined,
      onStateChange: () => undefined,
      onRestarted: () => Promise.resolve(),
    });
    await client.call('load', { modelId: 'shapes-seem-tiny', modelDir: MODEL_DIR, kind: 'segmenter', executionProvider: 'cpu' }).answer;
    const coco = await readSamples();
    image = { imageId: 1, path: join(SAMPLES_DIR, coco.images[0]!.file_name), cacheDir: null };
    const labels = coco.categories.map((c) => ({ labelId: `c${c.id}`, name: c.name, stuff: false }));
    job = {
      modelId: 'shapes-seem-tiny',
      image,
      spec: { source: 'names', labels, vocabulary: labels },
      minScore: 0.5,
      nmsIoU: 0.5,
      everything: { pointsPerSide: 12, minScore: 0.7, minAreaFraction: 0.0005, nmsIoU: 0.7 },
    };
    await client.call('encode', { modelId: 'shapes-seem-tiny', image }).answer;
  });
  after(() => client.close());

  it('a click sent after a job image started is answered before the job image', async () => {
    const order: string[] = [];
    const background = client.call('autolabel', job, { priority: 'background' }).answer.then(() => order.push('job'));
    await new Promise((r) => setTimeout(r, 50));
    const click = client
      .call('segment', {
        modelId: 'shapes-seem-tiny',
        image,
        prompt: { clicks: [{ x: 20, y: 20, positive: true }], scribbles: [] },
        labels: [],
      })
      .answer.then(() => order.push('click'));
    await Promise.all([background, click]);
    assert.deepEqual(order, ['click', 'job']);
  });

  it('a cancelled job image stops at its next checkpoint and answers cancelled; the worker goes on', async () => {
    const controller = new AbortController();
    const background = client.call('autolabel', job, { priority: 'background', signal: controller.signal }).answer;
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await assert.rejects(
      background,
      (error: unknown) => error instanceof AppError && error.code === 'conflict' && /cancelled/.test(error.message),
    );
    const whole = await client.call('autolabel', job, { priority: 'background' }).answer;
    assert.ok(whole.proposals.length > 0, 'the next job image runs whole');
  });
});
