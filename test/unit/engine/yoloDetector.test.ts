// Ultralytics YOLO detectors and instance segmenters through the engine: the
// fixture graphs of test/fixtures/yolo (outputs known in advance, see its
// generator) on three photos of different letterbox geometry, against the
// expected detections in expected.json (boxes to 0.5 px after letterbox
// inversion, classes, scores, masks IoU >= 0.99); the decode, NMS and
// letterbox-inversion rules on hand-built tensors, their strict thresholds
// included; class names mapped onto project labels.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { DetectionSet, Rle } from '../../../common/contract/index.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { InferenceEngine } from '../../../engine/engine.js';
import { letterboxPlacement } from '../../../engine/worker/imaging/letterbox.js';
import {
  boxIoU,
  candidatesOfRawHead,
  decodeEndToEndHead,
  nmsPerClass,
  type RawDetection,
} from '../../../engine/worker/models/yolo/decode.js';
import { boxToImage, protoWindowOf, roundHalfEven } from '../../../engine/worker/models/yolo/geometry.js';
import { instanceMask } from '../../../engine/worker/models/yolo/instanceMasks.js';
import { filesSource, installYolo, readJson, ROOT, YOLO_DIR, type YoloFixture } from './issue11Fixtures.js';

interface ExpectedDetection {
  box: [number, number, number, number];
  class: number;
  name: string;
  score: number;
  score_tolerance?: number;
  tag?: string;
  mask?: Rle;
  mask_area?: number;
}
interface ExpectedImage {
  name: string;
  path: string;
  width: number;
  height: number;
  letterbox: { new_w: number; new_h: number; top: number; bottom: number; left: number; right: number };
  proto_window: { top: number; bottom: number; left: number; right: number };
  results: Record<string, Record<string, ExpectedDetection[]>>;
}
interface Expected {
  settings: { id: string; conf: number; iou: number }[];
  images: ExpectedImage[];
}

const expected = readJson<Expected>(join(YOLO_DIR, 'expected.json'));
const FIXTURES: YoloFixture[] = ['yolo-det', 'yolo-seg', 'yolo-e2e'];

const head = (
  rows: number[][],
  classes: number,
  maskDims = 0,
): { data: Float32Array; classes: number; maskDims: number; anchors: number } => {
  // rows: per anchor [cx, cy, w, h, ...scores, ...coefficients] -> channel-major [4 + nc + nm, A]
  const channels = 4 + classes + maskDims;
  const data = new Float32Array(channels * rows.length);
  rows.forEach((r, a) => r.forEach((v, c) => (data[c * rows.length + a] = v)));
  return { data, classes, maskDims, anchors: rows.length };
};
const det = (box: [number, number, number, number], score: number, classId: number, source = 0): RawDetection => ({
  box,
  score,
  classId,
  source,
  coefficients: new Float32Array(0),
});

describe('YOLO decode rules on hand-built tensors', () => {
  it('keeps a score strictly above conf (exactly conf is dropped) and only each anchor’s best class', () => {
    const h = head(
      [
        [50, 50, 20, 20, 0.25, 0.1],
        [80, 80, 20, 20, 0.2500001, 0],
        [10, 10, 4, 4, 0.3, 0.6],
      ],
      2,
    );
    const found = candidatesOfRawHead(h, 0.25);
    assert.deepEqual(
      found.map((d) => [d.source, d.classId]),
      [
        [1, 0],
        [2, 1],
      ],
    );
    assert.deepEqual(found[1]!.box, [8, 8, 12, 12], 'centre boxes become corners');
    assert.ok(Math.abs(found[1]!.score - 0.6) < 1e-6, 'the best class score, not the sum');
  });

  it('suppresses only IoU strictly above the threshold, within one class, best first, at most maxDetections', () => {
    // Two boxes with IoU exactly 0.5: 0 0 10 10 and 0 0 10 5 (inter 50, union 100).
    assert.equal(boxIoU([0, 0, 10, 10], [0, 0, 10, 5]), 0.5);
    const a = det([0, 0, 10, 10], 0.9, 0);
    const b = det([0, 0, 10, 5], 0.8, 0);
    assert.equal(nmsPerClass([a, b], 0.5, 300).length, 2, 'IoU == iou is kept');
    assert.deepEqual(nmsPerClass([b, a], 0.49, 300), [a], 'IoU > iou is suppressed by the better box');
    const other = det([0, 0, 10, 5], 0.7, 1);
    assert.deepEqual(nmsPerClass([a, b, other], 0.49, 300), [a, other], 'another class is never suppressed');
    assert.deepEqual(nmsPerClass([other, a, b], 0.49, 1), [a], 'maxDetections counts kept boxes, best first');
  });

  it('an end-to-end head is only filtered by score (strictly) and row order is kept', () => {
    const data = Float32Array.from([0, 0, 5, 5, 0.25, 1, 1, 1, 9, 9, 0.7, 2, 2, 2, 8, 8, 0.3, 0, 0, 0, 0, 0, 0, 0]);
    const found = decodeEndToEndHead({ data, rows: 4, maskDims: 0 }, { conf: 0.25, maxDetections: 300 });
    assert.deepEqual(
      found.map((d) => [d.source, d.classId]),
      [
        [1, 2],
        [2, 0],
      ],
    );
    assert.deepEqual(decodeEndToEndHead({ data, rows: 4, maskDims: 0 }, { conf: 0.25, maxDetections: 1 }).length, 1);
  });

  it('boxes come back through the letterbox exactly as Ultralytics scale_boxes puts them, clipped to the image', () => {
    for (const image of expected.images) {
      const p = letterboxPlacement(image.width, image.height, 640);
      assert.deepEqual(
        { new_w: p.newWidth, new_h: p.newHeight, top: p.top, bottom: p.bottom, left: p.left, right: p.right },
        {
          new_w: image.letterbox.new_w,
          new_h: image.letterbox.new_h,
          top: image.letterbox.top,
          bottom: image.letterbox.bottom,
          left: image.letterbox.left,
          right: image.letterbox.right,
        },
        image.name,
      );
      assert.deepEqual(protoWindowOf(160, 160, image.width, image.height), image.proto_window, `${image.name}: prototype window`);
      for (const d of Object.values(image.results['default']!['yolo-det.onnx']!) as (ExpectedDetection & { box_letterboxed: number[] })[]) {
        const back = boxToImage(d.box_letterboxed, image.width, image.height, 640);
        back.forEach((v, i) => assert.ok(Math.abs(v - d.box[i]!) <= 0.5e-3, `${image.name} ${d.tag}: ${back} vs ${d.box}`));
      }
    }
    assert.deepEqual(
      [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map((v) => roundHalfEven(v) + 0),
      [0, 2, 2, 0, -2, 2],
      'halves to even, as Python',
    );
  });

  it('a mask is coefficients x prototypes on the image window, bilinear to the image, inside the box, > 0', () => {
    // One prototype plane that is +1 left of column 4 of an 8 x 8 grid and -1 right of it; image 16 x 16 (no padding).
    const protos = { data: new Float32Array(64).map((_, i) => (i % 8 < 4 ? 1 : -1)), maskDims: 1, width: 8, height: 8 };
    const crop = instanceMask(Float32Array.from([2]), protos, [2.5, 0, 16, 16], 16, 16);
    // Upsampled x2 with half-pixel centres: columns 0..7 positive (7 is 0.75*1 + 0.25*-1 > 0), 8+ negative;
    // the box keeps columns 3..15 (x0 = 2.5 <= c): columns 3..7.
    assert.deepEqual(crop.box, { x: 3, y: 0, w: 5, h: 16 });
    assert.equal(crop.area, 5 * 16);
    const none = instanceMask(Float32Array.from([-1]), protos, [0, 0, 3, 16], 16, 16);
    assert.equal(none.area, 0, 'negative everywhere in the box: empty');
  });
});

describe('YOLO fixtures through the engine (expected.json)', () => {
  let engine: InferenceEngine;
  const user = mkdtempSync(join(tmpdir(), 'promptlabel-yolo-'));
  const paths = expected.images.map((i) => join(ROOT, i.path));
  const source = filesSource(paths, [
    { labelId: 'L1', name: 'Person' },
    { labelId: 'L2', name: 'kitty' },
  ]);

  before(() => {
    for (const f of FIXTURES) installYolo(user, f);
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user },
      settingsPath: null,
      settings: { executionProvider: 'cpu' },
    });
  });
  after(() => engine.close());

  const full = (rle: Rle): BinaryMask => ({ width: rle.size[1], height: rle.size[0], data: rleToMask(rle) });
  let worstBox = 0;
  let worstMaskIoU = 1;

  for (const fixture of FIXTURES) {
    for (const setting of expected.settings) {
      it(`${fixture} at conf ${setting.conf}, iou ${setting.iou}: the expected detections on all three photos`, async () => {
        for (const [i, image] of expected.images.entries()) {
          const want = image.results[setting.id]![`${fixture}.onnx`]!;
          const set: DetectionSet = await engine.detect(source, { imageId: i + 1, modelId: fixture, conf: setting.conf, iou: setting.iou });
          const where = `${fixture} ${setting.id} ${image.name}`;
          assert.equal(
            set.detections.length,
            want.length,
            `${where}: ${set.detections.map((d) => `${d.className} ${d.score.toFixed(3)}`).join(', ')}`,
          );
          for (const [k, w] of want.entries()) {
            const d = set.detections[k]!;
            assert.equal(d.classId, w.class, `${where} #${k} class`);
            assert.equal(d.className, w.name);
            assert.ok(Math.abs(d.score - w.score) <= (w.score_tolerance ?? 1e-5), `${where} #${k} score ${d.score} vs ${w.score}`);
            d.box.forEach((v, j) => {
              const err = Math.abs(v - w.box[j]!);
              worstBox = Math.max(worstBox, err);
              assert.ok(err <= 0.5, `${where} #${k} box ${d.box} vs ${w.box}`);
            });
            if (fixture === 'yolo-seg') {
              assert.ok(d.mask, `${where} #${k} has a mask`);
              const got = full((await engine.materialize(set.id, d.index)).rle);
              const iou = maskIoU(got, full(w.mask!));
              worstMaskIoU = Math.min(worstMaskIoU, iou);
              assert.ok(iou >= 0.99, `${where} #${k} mask IoU ${iou.toFixed(4)} (area ${d.mask.area} vs ${w.mask_area})`);
            } else {
              assert.equal(d.mask, null, 'a plain detector gives boxes only');
            }
          }
        }
      });
    }
  }

  it('reports the worst box error and mask IoU over all fixtures', () => {
    console.log(`YOLO fixtures: worst box error ${worstBox.toFixed(4)} px, worst mask IoU ${worstMaskIoU.toFixed(4)}`);
    assert.ok(worstBox <= 0.5 && worstMaskIoU >= 0.99);
  });

  it('maps class names onto project labels by name (case-insensitive), then by the remembered label map', async () => {
    const before = await engine.detect(source, { imageId: 1, modelId: 'yolo-det' });
    const person = before.detections.find((d) => d.className === 'person')!;
    assert.deepEqual(person.label, { labelId: 'L1', name: 'Person', via: 'name' });
    assert.equal(before.detections.find((d) => d.className === 'cat')!.label, null);
    assert.deepEqual(before.unmappedClasses, ['cat', 'cup', 'traffic light']);
    assert.deepEqual(engine.setLabelMap('yolo-det', { cat: 'kitty', cup: 'mug' }), { cat: 'kitty', cup: 'mug' });
    const after = await engine.detect(source, { imageId: 1, modelId: 'yolo-det' });
    assert.deepEqual(after.detections.find((d) => d.className === 'cat')!.label, { labelId: 'L2', name: 'kitty', via: 'labelMap' });
    assert.equal(after.detections.find((d) => d.className === 'cup')!.label, null, 'a mapping to a label the project lacks maps nowhere');
    assert.deepEqual(engine.status().settings.labelMaps, { 'yolo-det': { cat: 'kitty', cup: 'mug' } });
    assert.deepEqual(engine.setLabelMap('yolo-det', { cup: null }), { cat: 'kitty' });
  });

  it('a detector is refused for prompts, with the reason, and a box-only detection cannot be materialised', async () => {
    const models = await engine.models();
    const yolo = models.find((m) => m.id === 'yolo-det')!;
    assert.equal(yolo.kind, 'detector');
    assert.equal(yolo.capabilities.points || yolo.capabilities.box || yolo.capabilities.scribble, false);
    assert.match(yolo.capabilities.promptNote ?? '', /no clicks/);
    const set = await engine.detect(source, { imageId: 1, modelId: 'yolo-det' });
    await assert.rejects(engine.materialize(set.id, 0), /box without a mask/);
    await assert.rejects(
      engine.segment(source, { imageId: 1, modelId: 'yolo-det', prompt: { clicks: [{ x: 5, y: 5, positive: true }], scribbles: [] } }),
      /takes no (clicks|prompts)/,
    );
  });

  it('mask pixels lie inside the detection box (crop to the box)', async () => {
    const set = await engine.detect(source, { imageId: 2, modelId: 'yolo-seg' });
    for (const d of set.detections) {
      const m = await engine.materialize(set.id, d.index);
      const mask = full(m.rle);
      for (let y = 0; y < mask.height; y++)
        for (let x = 0; x < mask.width; x++)
          if (mask.data[y * mask.width + x])
            assert.ok(x >= d.box[0] && x < d.box[2] && y >= d.box[1] && y < d.box[3], `${d.className} pixel ${x},${y} outside ${d.box}`);
    }
  });
});
