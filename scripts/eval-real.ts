// `npm run eval:real`: every mask provider on the real photographs in
// assets/photos against their hand-drawn ground truth. Prints box -> mask
// mIoU (tight boxes, and boxes drawn 5 % loose), 1-click mIoU and NoC@85
// (standard protocol, at most 20 clicks) where the provider takes clicks,
// and time per prompt. Figures, not a test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { type CandidateSet, type ModelInfo, promptSetSchema } from '../common/contract/index.js';
import type { BinaryMask } from '../common/geometry/binaryMask.js';
import { maskIoU } from '../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../common/geometry/polygon.js';
import { rleToMask } from '../common/geometry/rle.js';
import { defaultUserDataDir } from '../core/host/userDataDir.js';
import { type ImageSource, InferenceEngine } from '../engine/engine.js';
import { correctionClick, farthestInteriorPoint, type SimulatedClick } from '../engine/evaluation/clickSimulation.js';
import { toWorkerPrompt } from '../engine/promptValidation.js';
import { listModels } from '../engine/registry.js';

const ROOT = join(__dirname, '..');
const PHOTOS = join(ROOT, 'assets', 'photos');
const MAX_CLICKS = 20;
const NOC_IOU = 0.85;
/** A loosely drawn box: the tight one grown by this share of its size on each side (inside the image). */
const LOOSE_MARGIN = 0.05;
const TARGETS: Record<ModelInfo['kind'], string> = {
  foreground: 'box mIoU ≥ 0.85',
  classical: 'box mIoU ≥ 0.75',
  segmenter: '(synthetic-trained: no target on photos)',
  sam2: '(SAM 2: no target set here)',
  detector: '(detector: no prompts)',
};

const cocoSchema = z.object({
  images: z.array(z.object({ id: z.number(), file_name: z.string(), width: z.number(), height: z.number() })),
  annotations: z.array(
    z.object({
      image_id: z.number(),
      category_id: z.number(),
      segmentation: z.array(z.array(z.number())),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    }),
  ),
  categories: z.array(z.object({ id: z.number(), name: z.string() })),
});

interface GtObject {
  imageId: number;
  name: string;
  box: [number, number, number, number];
  mask: BinaryMask;
}

function groundTruth(): { source: ImageSource; objects: GtObject[] } {
  const coco = cocoSchema.parse(JSON.parse(readFileSync(join(PHOTOS, 'annotations.coco.json'), 'utf8')));
  const images = new Map(coco.images.map((i) => [i.id, i]));
  const objects = coco.annotations.map((a): GtObject => {
    const image = images.get(a.image_id)!;
    const polygons = a.segmentation.map((ring) => ({ outer: ring, holes: [] }));
    const [x, y, w, h] = a.bbox;
    return {
      imageId: a.image_id,
      name: `${image.file_name}: ${coco.categories.find((c) => c.id === a.category_id)?.name ?? a.category_id}`,
      box: [x, y, x + w, y + h],
      mask: { width: image.width, height: image.height, data: rasterisePolygons(polygons, image.height, image.width) },
    };
  });
  const source: ImageSource = {
    cacheDir: null,
    imagePath: (id) => join(PHOTOS, images.get(id)!.file_name),
    imageSize: async (id) => ({ width: images.get(id)!.width, height: images.get(id)!.height }),
    labels: () => [],
  };
  return { source, objects };
}

function looseBox(
  [x0, y0, x1, y1]: [number, number, number, number],
  image: { width: number; height: number },
): [number, number, number, number] {
  const mx = (x1 - x0) * LOOSE_MARGIN;
  const my = (y1 - y0) * LOOSE_MARGIN;
  return [Math.max(0, x0 - mx), Math.max(0, y0 - my), Math.min(image.width, x1 + mx), Math.min(image.height, y1 + my)];
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

async function evaluate(model: ModelInfo, source: ImageSource, objects: GtObject[]) {
  const engine = new InferenceEngine({
    roots: { builtin: join(ROOT, 'models'), user: join(defaultUserDataDir(), 'models') },
    settingsPath: null,
    settings: { modelId: model.id },
  });
  const promptMs: number[] = [];
  const run = async (imageId: number, prompts: unknown, previous?: CandidateSet): Promise<{ set: CandidateSet; mask: BinaryMask }> => {
    const prompt = await toWorkerPrompt(source, imageId, promptSetSchema.parse(prompts));
    const set = await engine.segment(source, {
      imageId,
      prompt,
      previous: previous ? { candidateSetId: previous.id, index: previous.best } : undefined,
    });
    promptMs.push(set.timing.totalMs - set.timing.encodeMs);
    const size = await source.imageSize(imageId);
    const empty = { width: size.width, height: size.height, data: new Uint8Array(size.width * size.height) };
    if (set.candidates[set.best]!.area === 0) return { set, mask: empty };
    const materialized = await engine.materialize(set.id, set.best);
    return { set, mask: { ...empty, data: rleToMask(materialized.rle) } };
  };
  const box: number[] = [];
  const loose: number[] = [];
  const perObject: string[] = [];
  const oneClick: number[] = [];
  const noc: number[] = [];
  try {
    for (const object of objects) {
      box.push(maskIoU((await run(object.imageId, { box: object.box })).mask, object.mask));
      loose.push(maskIoU((await run(object.imageId, { box: looseBox(object.box, object.mask) })).mask, object.mask));
      perObject.push(`${object.name} ${box.at(-1)!.toFixed(2)} (loose ${loose.at(-1)!.toFixed(2)})`);
      if (!model.capabilities.points) continue;
      const first = farthestInteriorPoint(object.mask)!;
      const clicks: SimulatedClick[] = [{ x: first.x, y: first.y, positive: true }];
      let result = await run(object.imageId, { clicks });
      let iou = maskIoU(result.mask, object.mask);
      oneClick.push(iou);
      let needed = iou >= NOC_IOU ? 1 : MAX_CLICKS;
      for (let n = 2; n <= MAX_CLICKS && iou < NOC_IOU; n++) {
        const next = correctionClick(result.mask, object.mask);
        if (!next) break;
        clicks.push(next);
        result = await run(object.imageId, { clicks }, result.set);
        iou = maskIoU(result.mask, object.mask);
        if (iou >= NOC_IOU) needed = n;
      }
      noc.push(needed);
    }
  } finally {
    await engine.close();
  }
  return { box, loose, oneClick, noc, promptMs, perObject };
}

async function main(): Promise<void> {
  const { source, objects } = groundTruth();
  const only = process.argv[2];
  const models = (await listModels({ builtin: join(ROOT, 'models'), user: join(defaultUserDataDir(), 'models') })).filter(
    (m) => m.problem === null && (!only || m.id === only),
  );
  console.log(
    `real photographs: ${objects.length} objects in ${new Set(objects.map((o) => o.imageId)).size} images (assets/photos, hand-drawn ground truth)`,
  );
  if (!models.some((m) => m.kind === 'foreground')) {
    console.log('foreground model: not installed (opt in with `npx promptlabel models fetch isnet-small`), so it is not in the table');
  }
  const rows: string[][] = [
    [
      'provider',
      'kind',
      'box mIoU',
      `loose box (+${LOOSE_MARGIN * 100} %)`,
      '1-click mIoU',
      `NoC@85 (≤${MAX_CLICKS})`,
      'ms/prompt p50',
      'target',
    ],
  ];
  for (const model of models) {
    const started = performance.now();
    const r = await evaluate(model, source, objects);
    const fmt = (values: number[], digits = 3) => (values.length ? mean(values).toFixed(digits) : '—');
    rows.push([
      model.id,
      model.kind,
      fmt(r.box),
      fmt(r.loose),
      fmt(r.oneClick),
      fmt(r.noc, 2),
      median(r.promptMs).toFixed(0),
      TARGETS[model.kind],
    ]);
    console.log(
      `  ${model.id}: done in ${((performance.now() - started) / 1000).toFixed(1)} s; box IoU per object (tight, loose): ${r.perObject.join(', ')}`,
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
