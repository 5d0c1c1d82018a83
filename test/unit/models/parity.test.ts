// onnxruntime-node reproduces the PyTorch outputs recorded at export time
// (models/shapes-seem-tiny/parity.json) on deterministic inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { makeFrame } from '../../../engine/worker/modelFrame.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import { MODEL_DIR } from './cocoGt.js';
import { assertCaptionerParity, captionParityEmbeddings, maxAbsDiff, readParitySummary, runParity, strided } from './parityInputs.js';

describe('ONNX vs PyTorch parity', () => {
  it('encoder, text encoder and decoder match the PyTorch reference', async () => {
    const p = readParitySummary();
    const out = await runParity(p);
    const tol = 1e-3;
    assert.ok(maxAbsDiff(strided(out['image_embeddings']!, 997), p.image_embeddings_sample) < tol, 'image_embeddings');
    assert.ok(maxAbsDiff(out['text_embedding']!, p.text_embedding) < tol, 'text_embedding');
    assert.ok(maxAbsDiff(out['iou_predictions']!, p.iou_predictions) < tol, 'iou_predictions');
    assert.ok(maxAbsDiff(strided(out['masks']!, 4999), p.masks_sample) < tol, 'masks');
    const [, k, h, w] = p.shapes['masks']!;
    assert.equal(out['masks']!.length, k! * h! * w!);
  });

  it("the caption head's greedy words and points, its phrase -> point and its phrase scores match PyTorch through the app's decoding (Captioner)", async () => {
    const p = readParitySummary();
    const seg = await PromptableSegmenter.load(MODEL_DIR);
    try {
      assert.ok(seg.captioner && p.captioner, 'the built-in model ships a caption head and its parity reference');
      const { channels: c, grid: g, inputSize } = seg.dims;
      const embeddings = { data: captionParityEmbeddings(c, g), channels: c, grid: g, stride: inputSize / g };
      await assertCaptionerParity(seg, p.captioner, embeddings.data);
      const frame = makeFrame(inputSize, inputSize, inputSize);
      await assert.rejects(seg.captioner.locate(frame, embeddings, ['small', 'zorblat', 'circle']), /does not know "zorblat"/);
      await assert.rejects(seg.captioner.locate(frame, embeddings, []), /no words to find/);
      // A reading with an article the head lacks is skipped; a phrase word it lacks refuses the phrase.
      const region: [number, number, number, number] = [10, 10, 90, 90];
      const [bare] = await seg.captioner.describes(frame, embeddings, [region], [['small', 'red', 'circle']]);
      assert.deepEqual(await seg.captioner.describes(frame, embeddings, [region], [['small', 'red', 'circle'], ['zorblat', 'small', 'red', 'circle']]), [bare]);
      await assert.rejects(seg.captioner.describes(frame, embeddings, [region], [['small', 'zorblat'], ['a', 'small', 'zorblat']]), /does not know "zorblat"/);
    } finally {
      await seg.release();
    }
  });
});
