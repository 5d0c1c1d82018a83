// The opt-in foreground model through the engine, on the real photographs
// and their hand-drawn ground truth. It runs where the model is installed
// (`promptlabel models fetch isnet-small`, or PROMPTLABEL_FOREGROUND_MODEL
// naming its folder) and reports itself skipped, with the reason, elsewhere:
// CI never downloads it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { promptSetSchema } from '../../../common/contract/index.js';
import { maskIoU } from '../../../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../../../common/geometry/polygon.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { defaultUserDataDir } from '../../../core/host/userDataDir.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';

const ROOT = join(__dirname, '..', '..', '..');
const PHOTOS = join(ROOT, 'assets', 'photos');

/** The folder holding an installed foreground model, or why there is none. */
function installedModel(): { dir: string; id: string } | { reason: string } {
  const candidates = process.env.PROMPTLABEL_FOREGROUND_MODEL
    ? [process.env.PROMPTLABEL_FOREGROUND_MODEL]
    : ['isnet-small', 'isnet-medium'].map((id) => join(defaultUserDataDir(), 'models', id));
  for (const dir of candidates) {
    if (existsSync(join(dir, 'manifest.json')))
      return { dir, id: (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { id: string }).id };
  }
  return { reason: `no foreground model installed (looked in ${candidates.join(', ')}; run \`npx promptlabel models fetch isnet-small\`)` };
}

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; category_id: number; segmentation: number[][]; bbox: [number, number, number, number] }[];
  categories: { id: number; name: string }[];
}

const model = installedModel();

describe('foreground model on the real photographs', { skip: 'reason' in model ? model.reason : false }, () => {
  const coco = JSON.parse(readFileSync(join(PHOTOS, 'annotations.coco.json'), 'utf8')) as Coco;
  let engine: InferenceEngine;
  const source: ImageSource = {
    cacheDir: null,
    imagePath: (id) => join(PHOTOS, coco.images.find((i) => i.id === id)!.file_name),
    imageSize: async (id) => coco.images.find((i) => i.id === id)!,
    labels: () => [],
  };
  const gtOf = (name: string) => {
    const category = coco.categories.find((c) => c.name === name)!;
    const ann = coco.annotations.find((a) => a.category_id === category.id)!;
    const image = coco.images.find((i) => i.id === ann.image_id)!;
    const mask = {
      width: image.width,
      height: image.height,
      data: rasterisePolygons(
        ann.segmentation.map((outer) => ({ outer, holes: [] })),
        image.height,
        image.width,
      ),
    };
    return { ann, image, mask };
  };

  before(() => {
    const found = model as { dir: string; id: string };
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user: dirname(found.dir) },
      settingsPath: null,
      settings: { modelId: found.id },
    });
  });
  after(() => engine.close());

  it('a box around the cat gives it (IoU >= 0.85 against the hand-drawn outline); the same crops again come from the cache', async () => {
    const { ann, image, mask } = gtOf('cat');
    const [x, y, w, h] = ann.bbox;
    const prompt = await toWorkerPrompt(source, image.id, promptSetSchema.parse({ box: [x, y, x + w, y + h] }));
    const first = await engine.segment(source, { imageId: image.id, prompt });
    assert.ok(first.candidates.length >= 2, 'a close and a wider view of the box');
    const materialized = await engine.materialize(first.id, first.best);
    const iou = maskIoU({ width: image.width, height: image.height, data: rleToMask(materialized.rle) }, mask);
    assert.ok(iou >= 0.85, `cat IoU ${iou.toFixed(3)}`);
    const again = await engine.segment(source, { imageId: image.id, prompt });
    assert.deepEqual(
      again.candidates.map((c) => c.crop),
      first.candidates.map((c) => c.crop),
      'same crops, same masks',
    );
    assert.ok(
      again.timing.decodeMs < first.timing.decodeMs / 5,
      `cached crop took ${again.timing.decodeMs.toFixed(0)} ms vs ${first.timing.decodeMs.toFixed(0)} ms`,
    );
  });

  it('a box around the saucer gives the saucer without the cup standing on it (IoU >= 0.85): the wide view minus the close one', async () => {
    const { ann, image, mask } = gtOf('saucer');
    const [x, y, w, h] = ann.bbox;
    const prompt = await toWorkerPrompt(source, image.id, promptSetSchema.parse({ box: [x, y, x + w, y + h] }));
    const set = await engine.segment(source, { imageId: image.id, prompt });
    assert.equal(set.candidates.length, 3, 'close view, wide view, and the nested remainder');
    assert.equal(set.best, 2, 'the remainder fits the box best');
    assert.equal(set.scoreKind, 'confidence');
    assert.deepEqual(
      set.candidates.map((c) => c.note),
      ['close view', 'wide view', 'wide minus close view'],
    );
    const iouOf = async (index: number) =>
      maskIoU({ width: image.width, height: image.height, data: rleToMask((await engine.materialize(set.id, index)).rle) }, mask);
    const remainder = await iouOf(2);
    assert.ok(remainder >= 0.85, `saucer IoU ${remainder.toFixed(3)}`);
    const wide = await iouOf(1);
    assert.ok(wide < 0.6, `the wide view alone holds the cup too (IoU ${wide.toFixed(3)})`);
  });

  it('a negative click drops the component under it and seeds a GrabCut refinement; segment everything is the whole-image foreground', async () => {
    const { ann, image } = gtOf('person');
    const [x, y, w, h] = ann.bbox;
    const box: [number, number, number, number] = [x, y, x + w, y + h];
    const withBox = await engine.segment(source, {
      imageId: image.id,
      prompt: await toWorkerPrompt(source, image.id, promptSetSchema.parse({ box })),
    });
    const centre = { x: x + w / 2, y: y + h / 2 };
    const dropped = await engine.segment(source, {
      imageId: image.id,
      prompt: await toWorkerPrompt(source, image.id, promptSetSchema.parse({ box, clicks: [{ ...centre, positive: false }] })),
    });
    assert.equal(dropped.candidates.length, 3, 'clicks add a GrabCut refinement seeded by the probability, first');
    assert.equal(dropped.best, 0);
    assert.equal(dropped.candidates[0]!.note, 'GrabCut from the clicks');
    assert.ok(
      dropped.candidates[1]!.area < withBox.candidates[0]!.area,
      'the negative click dropped the component under it from the close view',
    );
    const centreIndex = Math.floor(centre.y) * image.width + Math.floor(centre.x);
    const refined = await engine.materialize(dropped.id, 0);
    assert.equal(rleToMask(refined.rle)[centreIndex], 0, 'the refined mask leaves out the negative click');
    const everything = await engine.everything(source, {
      imageId: image.id,
      params: { pointsPerSide: 4, minScore: 0, minAreaFraction: 0, nmsIoU: 0.7 },
    });
    assert.equal(everything.candidates.length, 1);
    assert.ok(everything.candidates[0]!.area > 0.1 * image.width * image.height);
  });
});
