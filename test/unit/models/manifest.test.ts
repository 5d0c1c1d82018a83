// The shipped model folder is self-consistent: manifest valid, files match
// their sha256/size, every ONNX file loads in onnxruntime-node and exposes
// exactly the tensor names the manifest declares, tokenizer is robust.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { verifyModelFiles } from '../../../engine/worker/integrity.js';
import { readManifest } from '../../../engine/worker/models/segmenter/manifest.js';
import { WordTokenizer } from '../../../engine/worker/models/segmenter/tokenizer.js';
import { MODEL_DIR } from './cocoGt.js';

describe('shapes-seem-tiny model folder', () => {
  it('has a valid manifest whose files match sha256 and size', async () => {
    const manifest = await readManifest(MODEL_DIR);
    assert.equal(manifest.license, 'Apache-2.0');
    assert.deepEqual(await verifyModelFiles(MODEL_DIR, manifest), []);
    const total = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
    assert.ok(total <= 15 * 1024 * 1024, `weights are ${total} bytes`);
  });

  it('detects a tampered file', async () => {
    const manifest = await readManifest(MODEL_DIR);
    const first = Object.keys(manifest.files)[0]!;
    const broken = structuredClone(manifest);
    broken.files[first]!.sha256 = '0'.repeat(64);
    const problems = await verifyModelFiles(MODEL_DIR, broken);
    assert.equal(problems.length, 1);
  });

  for (const part of ['encoder', 'decoder', 'textEncoder'] as const) {
    it(`${part} loads and its input/output names match the manifest`, async () => {
      const manifest = await readManifest(MODEL_DIR);
      const spec = manifest[part];
      assert.ok(spec, `the built-in model declares its ${part}`);
      const session = await ort.InferenceSession.create(join(MODEL_DIR, spec.file));
      assert.deepEqual([...session.inputNames], spec.inputs.map((t) => t.name));
      assert.deepEqual([...session.outputNames], spec.outputs.map((t) => t.name));
    });
  }

  it('decoder keeps the Segment Anything signature', async () => {
    const manifest = await readManifest(MODEL_DIR);
    const names = manifest.decoder.inputs.map((t) => t.name);
    for (const n of ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'])
      assert.ok(names.includes(n), n);
    assert.deepEqual(manifest.decoder.outputs.slice(0, 3).map((t) => t.name), ['masks', 'iou_predictions', 'low_res_masks']);
  });

  it('tokenizer maps unknown words to [UNK] and never returns an empty sequence', async () => {
    const manifest = await readManifest(MODEL_DIR);
    assert.ok(manifest.tokenizer, 'the built-in model declares its tokenizer');
    const tok = await WordTokenizer.load(join(MODEL_DIR, manifest.tokenizer.file));
    const ids = tok.ids('The RED zorblax, left of   the circle!');
    assert.equal(ids.length, 7);
    assert.equal(ids[2], manifest.tokenizer.unkId);
    assert.notEqual(ids[1], manifest.tokenizer.unkId);
    assert.deepEqual(tok.ids(''), [manifest.tokenizer.unkId]);
    assert.deepEqual(tok.ids('!!!'), [manifest.tokenizer.unkId]);
    for (const w of ['red', 'circle', 'small', 'left', 'of', 'above', 'below', 'the', 'sky', 'water', 'grass', 'sand'])
      assert.ok(tok.vocabulary.includes(w), w);
  });
});
