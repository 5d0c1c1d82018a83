// onnxruntime-node reproduces the PyTorch outputs recorded at export time
// (models/shapes-seem-tiny/parity.json) on deterministic inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { maxAbsDiff, readParitySummary, runParity, strided } from './parityInputs.js';

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
});
