// Detector -> segmenter chain (as X-AnyLabeling does it): ai.detect with a
// SAM-family model turns each detection box into that model's mask, one
// decoder run per box on its cached features, while the model in use stays
// loaded. Checked on the YOLO and SAM 2 fixtures and the SAM-format one.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Rle } from '../../../common/contract/index.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { InferenceEngine } from '../../../engine/engine.js';
import { filesSource, installSam2, installYolo, ROOT } from './issue11Fixtures.js';

const full = (rle: Rle): BinaryMask => ({ width: rle.size[1], height: rle.size[0], data: rleToMask(rle) });

describe('detector -> SAM-family chain', () => {
  let engine: InferenceEngine;
  const user = mkdtempSync(join(tmpdir(), 'promptlabel-chain-'));
  const photos = ['rocket.jpg', 'chelsea.jpg'].map((f) => join(ROOT, 'assets', 'photos', f));
  const source = filesSource(photos);

  before(() => {
    installYolo(user, 'yolo-det');
    installYolo(user, 'yolo-seg');
    installSam2(user);
    cpSync(join(ROOT, 'test', 'fixtures', 'sam-format'), join(user, 'sam-format'), { recursive: true });
    // The model in use is the demo model: the detector and the chained segmenter open beside it.
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user },
      settingsPath: null,
      settings: { executionProvider: 'cpu', modelId: 'shapes-seem-tiny' },
    });
  });
  after(() => engine.close());

  for (const chain of ['sam2-fixture', 'sam-format-fixture']) {
    it(`gives one ${chain} mask per detector box, the mask that model gives for that box`, async () => {
      const plain = await engine.detect(source, { imageId: 1, modelId: 'yolo-det' });
      const chained = await engine.detect(source, { imageId: 1, modelId: 'yolo-det', chainModelId: chain });
      assert.equal(chained.chainModelId, chain);
      assert.equal(chained.detections.length, plain.detections.length);
      assert.ok(chained.detections.length >= 5);
      assert.match(chained.selectionRule, new RegExp(`segmented by ${chain}`));
      const masks: BinaryMask[] = [];
      for (const [i, d] of chained.detections.entries()) {
        assert.deepEqual(
          [d.classId, d.score, d.box],
          [plain.detections[i]!.classId, plain.detections[i]!.score, plain.detections[i]!.box],
          'the detections themselves are unchanged',
        );
        assert.ok(d.mask, `detection ${i} (${d.className}) has a mask`);
        assert.equal(typeof d.mask.maskScore, 'number', 'with the segmenter’s predicted IoU');
        masks.push(full((await engine.materialize(chained.id, i)).rle));
      }
      // The same boxes as prompts to the segmenter itself.
      for (const [i, d] of chained.detections.entries()) {
        const set = await engine.segment(source, { imageId: 1, modelId: chain, prompt: { clicks: [], box: d.box, scribbles: [] } });
        const direct = full((await engine.materialize(set.id, set.best)).rle);
        assert.equal(maskIoU(direct, masks[i]!), 1, `detection ${i}: the chain's mask is the segmenter's preselected mask for the box`);
      }
    });
  }

  it('runs beside the model in use, and the features of the chained model are reused (one encoder run per image)', async () => {
    await engine.segment(source, { imageId: 2, prompt: { clicks: [{ x: 100, y: 100, positive: true }], scribbles: [] } });
    assert.equal(engine.status().modelId, 'shapes-seem-tiny');
    const first = await engine.detect(source, { imageId: 2, modelId: 'yolo-seg', chainModelId: 'sam2-fixture' });
    const again = await engine.detect(source, { imageId: 2, modelId: 'yolo-seg', chainModelId: 'sam2-fixture' });
    assert.equal(engine.status().modelId, 'shapes-seem-tiny', 'detecting did not unload the model in use');
    assert.ok(
      first.timing.encodeMs > 0 && again.timing.encodeMs === 0,
      `second run from cached features (${first.timing.encodeMs} ms, then ${again.timing.encodeMs} ms)`,
    );
    assert.equal(again.detections.length, first.detections.length);
    assert.ok(again.detections.every((d) => d.mask !== null));
    // A prompt on the model in use still works and still refines its own candidates.
    const set = await engine.segment(source, { imageId: 2, prompt: { clicks: [{ x: 120, y: 110, positive: true }], scribbles: [] } });
    assert.equal(set.modelId, 'shapes-seem-tiny');
  });

  it('refuses a chain to a model that is not SAM-family, and a detector that is not one, saying why', async () => {
    await assert.rejects(
      engine.detect(source, { imageId: 1, modelId: 'yolo-det', chainModelId: 'shapes-seem-tiny' }),
      /not a SAM-family model/,
    );
    await assert.rejects(engine.detect(source, { imageId: 1, modelId: 'sam2-fixture' }), /not a detector/);
    await assert.rejects(
      engine.detect(source, { imageId: 1, modelId: 'yolo-det', chainModelId: 'nope' }),
      /Unknown segmenter to chain "nope"/,
    );
  });
});
