// The classical provider through the real worker: same prompts, same
// candidates and the same accept path as the ONNX models.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AppError, type CandidateSet, promptSetSchema, type SegmentOptions } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { maskIoU } from '../../../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../../../common/geometry/polygon.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';
import { annotationMask, type CocoSamples, interiorPoint, MODEL_DIR, probeObjects, readSamples, SAMPLES_DIR } from '../models/cocoGt.js';

describe('classical provider (OpenCV) through the engine', () => {
  let coco: CocoSamples;
  let engine: InferenceEngine;
  let source: ImageSource;

  before(async () => {
    coco = await readSamples();
    engine = new InferenceEngine({
      roots: { builtin: join(MODEL_DIR, '..'), user: null },
      settingsPath: null,
      settings: { modelId: 'opencv-classical' },
    });
    source = {
      cacheDir: null,
      imagePath: (id) => join(SAMPLES_DIR, coco.images.find((i) => i.id === id)!.file_name),
      imageSize: async (id) => coco.images.find((i) => i.id === id)!,
      labels: () => coco.categories.map((c) => ({ labelId: `c${c.id}`, name: c.name })),
    };
  });
  after(() => engine.close());

  const segment = async (imageId: number, prompts: unknown, options?: SegmentOptions): Promise<CandidateSet> =>
    engine.segment(source, { imageId, prompt: await toWorkerPrompt(source, imageId, promptSetSchema.parse(prompts)), options });
  const full = async (set: CandidateSet, index = set.best): Promise<BinaryMask> => {
    const m = await engine.materialize(set.id, index);
    return { width: m.rle.size[1], height: m.rle.size[0], data: rleToMask(m.rle) };
  };

  it('a box gives the object by GrabCut (IoU >= 0.8 on the probe objects), with no score and no labels', async () => {
    for (const { image, ann } of probeObjects(coco)) {
      const [x, y, w, h] = ann.bbox;
      const set = await segment(image.id, { box: [x, y, x + w, y + h] });
      assert.equal(set.modelId, 'opencv-classical');
      assert.equal(set.candidates.length, 1);
      assert.equal(set.candidates[0]!.score, null);
      assert.deepEqual(set.candidates[0]!.labels, []);
      const iou = maskIoU(await full(set), await annotationMask(ann, image.width, image.height));
      assert.ok(iou >= 0.8, `GrabCut on ${image.file_name} (${ann.phrase}): IoU ${iou.toFixed(3)}`);
      const mask = await engine.materialize(set.id, 0);
      assert.equal(mask.score, null);
      assert.ok(mask.polygons.length > 0);
    }
  });

  it('a click with a tolerance is a magic wand, limited by the box', async () => {
    const { image, ann } = probeObjects(coco)[0]!;
    const gt = await annotationMask(ann, image.width, image.height);
    const p = interiorPoint(gt);
    const wand = await segment(image.id, { clicks: [{ x: p.x, y: p.y, positive: true }] }, { tolerance: 40 });
    const wandMask = await full(wand);
    assert.ok(wandMask.data[Math.floor(p.y) * image.width + Math.floor(p.x)] === 1, 'the seed is inside');
    const [x, y, w, h] = ann.bbox;
    const inside = await segment(
      image.id,
      { clicks: [{ x: p.x, y: p.y, positive: true }] },
      { tolerance: 255, within: [x, y, x + w, y + h] },
    );
    const box = inside.candidates[0]!.box;
    assert.ok(
      box.x >= x - 1 && box.y >= y - 1 && box.x + box.w <= x + w + 1 && box.y + box.h <= y + h + 1,
      'the fill stays inside `within`',
    );
    await assert.rejects(
      segment(image.id, { clicks: [{ x: 1, y: 1, positive: true }] }, { tolerance: 10, within: [x, y, x + w, y + h] }),
      (e: unknown) => e instanceof AppError && e.code === 'bad_request',
    );
  });

  it('scribbles in two regions give one mask per region (watershed)', async () => {
    const { image } = probeObjects(coco)[0]!;
    const objects = coco.annotations.filter((a) => a.image_id === image.id && a.referring !== undefined).slice(0, 2);
    assert.equal(objects.length, 2);
    const gts = await Promise.all(objects.map((a) => annotationMask(a, image.width, image.height)));
    const strokes = gts.map((gt, region) => {
      const p = interiorPoint(gt);
      return { points: [[p.x - 2, p.y] as [number, number], [p.x + 2, p.y] as [number, number]], positive: true, region };
    });
    const set = await segment(image.id, { scribbles: strokes });
    assert.equal(set.candidates.length, 2);
    for (let r = 0; r < 2; r++) {
      const iou = maskIoU(await full(set, r), gts[r]!);
      assert.ok(iou >= 0.6, `region ${r} (${objects[r]!.phrase}): IoU ${iou.toFixed(3)}`);
    }
  });

  it('retries a box that gave nothing with a wider frame: the small dark camcorder of camera.png (hand-drawn truth)', async () => {
    const photos = join(MODEL_DIR, '..', '..', 'assets', 'photos');
    const truth = JSON.parse(readFileSync(join(photos, 'annotations.coco.json'), 'utf8')) as {
      images: { id: number; file_name: string; width: number; height: number }[];
      annotations: { image_id: number; category_id: number; segmentation: number[][]; bbox: [number, number, number, number] }[];
      categories: { id: number; name: string }[];
    };
    const image = truth.images.find((i) => i.file_name === 'camera.png')!;
    const camcorder = truth.annotations.find(
      (a) => a.image_id === image.id && truth.categories.find((c) => c.id === a.category_id)?.name === 'camera',
    )!;
    const photoSource: ImageSource = {
      cacheDir: null,
      imagePath: () => join(photos, image.file_name),
      imageSize: async () => image,
      labels: () => [],
    };
    const [x, y, w, h] = camcorder.bbox;
    const set = await engine.segment(photoSource, {
      imageId: image.id,
      prompt: await toWorkerPrompt(photoSource, image.id, promptSetSchema.parse({ box: [x, y, x + w, y + h] })),
    });
    assert.ok(set.candidates[0]!.area > 0, 'a mask, not nothing');
    const got = await full(set);
    const want = {
      width: image.width,
      height: image.height,
      data: rasterisePolygons(
        camcorder.segmentation.map((outer) => ({ outer, holes: [] })),
        image.height,
        image.width,
      ),
    };
    const iou = maskIoU(got, want);
    assert.ok(iou >= 0.7, `camcorder IoU ${iou.toFixed(3)}`);
  });

  it('refuses what it cannot take, naming the provider', async () => {
    const { image } = probeObjects(coco)[0]!;
    await assert.rejects(segment(image.id, { text: 'red circle' }), /opencv-classical cannot take text prompts/);
    await assert.rejects(
      segment(image.id, { clicks: [{ x: 5, y: 5, positive: false }] }),
      /GrabCut needs a box or at least one positive click/,
    );
    await assert.rejects(
      engine.everything(source, { imageId: image.id, params: { pointsPerSide: 4, minScore: 0.5, minAreaFraction: 0.001, nmsIoU: 0.7 } }),
      /proposes nothing without a prompt/,
    );
    assert.equal(engine.status().activeProvider, 'cpu (OpenCV WebAssembly)');
  });
});
