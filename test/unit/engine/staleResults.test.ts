// A mask from a superseded request is never shown (issue 11 item 5): every
// answer belongs to its own request, whatever else is in flight; a request
// queued for a model that has since been replaced is refused as superseded
// instead of being answered by the other model; a cancelled request's late
// result is dropped. (The renderer's latest-wins runner is tested with the
// renderer; this is the engine and worker side.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AppError, type CandidateSet } from '../../../common/contract/index.js';
import { InferenceEngine } from '../../../engine/engine.js';
import { SUPERSEDED_MESSAGE, type WorkerPrompt } from '../../../engine/protocol.js';
import { WorkerCalls } from '../../../engine/worker/workerCalls.js';
import { filesSource, ROOT } from './issue11Fixtures.js';

const SAMPLES = join(ROOT, 'assets', 'samples');
const source = filesSource(['shapes_0001.jpg', 'shapes_0002.jpg'].map((f) => join(SAMPLES, f)));
const box = (x: number, y: number, w: number, h: number): WorkerPrompt => ({ clicks: [], box: [x, y, x + w, y + h], scribbles: [] });
/** Boxes around objects of the sample images (their COCO bboxes). */
const PROMPTS: { imageId: number; prompt: WorkerPrompt }[] = [
  { imageId: 1, prompt: box(51, 163, 117, 121) },
  { imageId: 1, prompt: box(225, 408, 203, 176) },
  { imageId: 2, prompt: box(225, 15, 96, 96) },
  { imageId: 1, prompt: box(307, 49, 125, 124) },
  { imageId: 2, prompt: box(154, 70, 86, 88) },
];
const signature = (set: CandidateSet): string =>
  JSON.stringify([set.imageId, set.modelId, set.best, set.candidates.map((c) => [c.box, c.area, c.crop.rle.counts])]);

describe('stale results (engine and worker)', () => {
  let engine: InferenceEngine;
  before(() => {
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user: null },
      settingsPath: null,
      settings: { executionProvider: 'cpu' },
    });
  });
  after(() => engine.close());

  it('answers requests sent all at once each with its own masks (the same as sent one by one)', async () => {
    const alone: string[] = [];
    for (const p of PROMPTS)
      alone.push(signature(await engine.segment(source, { imageId: p.imageId, modelId: 'shapes-seem-tiny', prompt: p.prompt })));
    const together = await Promise.all(
      PROMPTS.map((p) => engine.segment(source, { imageId: p.imageId, modelId: 'shapes-seem-tiny', prompt: p.prompt })),
    );
    assert.deepEqual(together.map(signature), alone);
    assert.equal(new Set(alone).size, PROMPTS.length, 'the prompts give different masks, so a mix-up would show');
  });

  it('never answers a request with another model’s masks when models change while requests wait', async () => {
    const models = ['shapes-seem-tiny', 'opencv-classical'];
    const requests = Array.from({ length: 8 }, (_, i) => ({ ...PROMPTS[i % PROMPTS.length]!, modelId: models[i % 2]! }));
    const settled = await Promise.allSettled(requests.map((r) => engine.segment(source, r)));
    let answered = 0;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        answered++;
        assert.equal(s.value.modelId, requests[i]!.modelId, `request ${i} was answered by ${s.value.modelId}`);
        assert.equal(s.value.imageId, requests[i]!.imageId);
      } else {
        assert.ok(
          s.reason instanceof AppError && s.reason.code === 'conflict' && s.reason.message === SUPERSEDED_MESSAGE,
          `request ${i}: ${String(s.reason)}`,
        );
      }
    });
    assert.ok(answered >= 2, `${answered} of ${requests.length} answered`);
  });

  it('the worker refuses a call made for a model that is no longer loaded', async () => {
    const calls = new WorkerCalls(64 * 1024 * 1024);
    const context = { progress: () => undefined, featureState: () => undefined, checkpoint: () => Promise.resolve() };
    await calls.table.load(
      { modelId: 'opencv-classical', modelDir: join(ROOT, 'models', 'opencv-classical'), kind: 'classical', executionProvider: 'cpu' },
      context,
    );
    const image = { imageId: 1, path: join(SAMPLES, 'shapes_0001.jpg'), cacheDir: null };
    await assert.rejects(
      calls.table.segment({ modelId: 'shapes-seem-tiny', image, prompt: PROMPTS[0]!.prompt, labels: [] }, context),
      (e: unknown) => e instanceof AppError && e.code === 'conflict' && e.message === SUPERSEDED_MESSAGE,
    );
    const set = await calls.table.segment({ modelId: 'opencv-classical', image, prompt: PROMPTS[0]!.prompt, labels: [] }, context);
    assert.equal(set.modelId, 'opencv-classical');
    assert.equal(set.selectionRule, 'GrabCut: the one mask');
  });

  it('a cancelled request answers "cancelled" at once and its late result never arrives; the next one is answered', async () => {
    await engine.segment(source, { imageId: 1, modelId: 'shapes-seem-tiny', prompt: PROMPTS[0]!.prompt });
    const long = engine.everything(source, {
      imageId: 1,
      modelId: 'shapes-seem-tiny',
      params: { pointsPerSide: 16, minScore: 0.5, minAreaFraction: 0, nmsIoU: 0.7 },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(engine.cancelRunning(), true);
    await assert.rejects(long, /cancelled/);
    const next = await engine.segment(source, { imageId: 2, modelId: 'shapes-seem-tiny', prompt: PROMPTS[2]!.prompt });
    assert.equal(next.imageId, 2);
  });
});
