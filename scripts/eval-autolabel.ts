// `npm run eval:autolabel [-- --images N --examples M --points-per-side P]`:
// the by-name and by-example auto-label jobs on the built-in model's held-out
// synthetic split (EVAL_SEED scenes, never trained on; made by
// models/training/make_eval_split.py with Debian's python3), scored with
// COCOeval's rules (core/evaluation/cocoEval.ts): mask AP, AP50 and AR@100
// for things, mIoU for stuff. Examples come from other held-out scenes
// (EVAL_SEED + 1), one per category. Figures, not a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { AutolabelParamsInput, Polygon } from '../common/contract/index.js';
import { type BinaryMask, maskIoU } from '../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../common/geometry/polygon.js';
import { decodeCounts, rleToMask } from '../common/geometry/rle.js';
import { JobRunner } from '../core/autolabel/jobRunner.js';
import { cocoEvaluate, type EvalInstance } from '../core/evaluation/cocoEval.js';
import { projectImageSource } from '../core/host/aiHandlers.js';
import { Project } from '../core/store/project.js';
import { ProposalTable } from '../core/store/proposals.js';
import { InferenceEngine } from '../engine/engine.js';

const ROOT = join(__dirname, '..');
const MODEL = 'shapes-seem-tiny';
const STUFF = new Set(['sky', 'water', 'grass', 'sand']);
/** The job's default minimum score (autolabelParamsSchema): what a reviewer sees of the stuff proposals. */
const STUFF_MIN_SCORE = 0.5;

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    image_id: number;
    category_id: number;
    segmentation: number[][] | { size: [number, number]; counts: number[] | string };
    bbox: [number, number, number, number];
    iscrowd?: number;
  }[];
  categories: { id: number; name: string }[];
}

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '30' },
    examples: { type: 'string', default: '40' },
    'points-per-side': { type: 'string', default: '12' },
  },
});
const imageCount = Number(values.images);
const exampleCount = Number(values.examples);

function maskOf(seg: Coco['annotations'][number]['segmentation'], w: number, h: number): BinaryMask {
  if (Array.isArray(seg)) {
    const polygons: Polygon[] = seg.map((ring) => ({ outer: ring, holes: [] }));
    return { width: w, height: h, data: rasterisePolygons(polygons, h, w) };
  }
  if (typeof seg.counts !== 'string') return { width: w, height: h, data: decodeCounts(seg.counts, h, w) };
  return { width: w, height: h, data: rleToMask({ size: seg.size, counts: seg.counts }) };
}

const area = (m: BinaryMask) => m.data.reduce((n, v) => n + v, 0);

/** IoU, or for a crowd region intersection over the detection's area (COCO's iscrowd rule). */
function iou(dt: BinaryMask, gt: BinaryMask, crowd: boolean): number {
  if (!crowd) return maskIoU(dt, gt);
  let inter = 0;
  let a = 0;
  for (let i = 0; i < dt.data.length; i++) {
    a += dt.data[i]!;
    inter += dt.data[i]! & gt.data[i]!;
  }
  return a === 0 ? 0 : inter / a;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'promptlabel-eval-autolabel-'));
  const examplesDir = join(dir, 'examples');
  const made = spawnSync(
    '/usr/bin/python3',
    [join(ROOT, 'models', 'training', 'make_eval_split.py'), dir, String(imageCount), examplesDir, String(exampleCount)],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) {
    console.error(
      `Could not make the held-out split with /usr/bin/python3 (needs numpy, Pillow and scikit-image: apt-get install python3-numpy python3-pil python3-skimage):\n${made.stderr}`,
    );
    process.exit(1);
  }
  const gtCoco = JSON.parse(readFileSync(join(dir, 'annotations.coco.json'), 'utf8')) as Coco;
  const exCoco = JSON.parse(readFileSync(join(examplesDir, 'annotations.coco.json'), 'utf8')) as Coco;
  const project = Project.open(dir);
  const engine = new InferenceEngine({
    roots: { builtin: join(ROOT, 'models'), user: null },
    settingsPath: null,
    settings: { modelId: MODEL, prefetchCount: 0 },
  });
  try {
    project.applyBatch(
      gtCoco.categories.map((c) => ({
        type: 'label.put' as const,
        label: { id: `c${c.id}`, name: c.name, colour: '#336699', hotkey: null, stuff: STUFF.has(c.name) },
      })),
    );
    const images = project.listImages({ offset: 0, limit: 10_000 }).items;
    const byPath = new Map(images.map((i) => [i.relPath, i.id]));
    const evalIds = gtCoco.images.map((i) => byPath.get(i.file_name)!);
    const gts = gtCoco.images.flatMap((img) =>
      gtCoco.annotations
        .filter((a) => a.image_id === img.id)
        .map((a) => {
          const mask = maskOf(a.segmentation, img.width, img.height);
          return { imageId: byPath.get(img.file_name)!, categoryId: a.category_id, mask, area: area(mask), crowd: a.iscrowd === 1 };
        }),
    );
    const stuffIds = new Set(gtCoco.categories.filter((c) => STUFF.has(c.name)).map((c) => c.id));
    console.log(
      `held-out split: ${evalIds.length} images, ${gts.filter((g) => !stuffIds.has(g.categoryId)).length} things, ${gts.filter((g) => stuffIds.has(g.categoryId)).length} stuff regions; model ${MODEL}`,
    );

    const run = async (name: string, params: AutolabelParamsInput): Promise<void> => {
      const runner = new JobRunner(project, () => engine, projectImageSource(project), { changed: () => undefined }, true);
      const started = performance.now();
      const job = await runner.start({ ...params, imageIds: evalIds, pointsPerSide: Number(values['points-per-side']) });
      await runner.idle();
      const seconds = (performance.now() - started) / 1000;
      const end = runner.store.require(job.id);
      const proposals = new ProposalTable(project.db).all().filter((p) => p.jobId === job.id);
      const dts: EvalInstance<BinaryMask>[] = proposals.flatMap((p) => {
        if (p.geometry.kind !== 'mask' || p.labelId === null) return [];
        const mask = { width: p.geometry.rle.size[1], height: p.geometry.rle.size[0], data: rleToMask(p.geometry.rle) };
        return [{ imageId: p.imageId, categoryId: Number(p.labelId.slice(1)), mask, area: p.area, score: p.score }];
      });
      const things = cocoEvaluate(
        gts.filter((g) => !stuffIds.has(g.categoryId)),
        dts.filter((d) => !stuffIds.has(d.categoryId)),
        iou,
      );
      // Stuff: per image and stuff category present in the truth or among the proposals a reviewer sees at the
      // default threshold (STUFF_MIN_SCORE), IoU of the one region each; AP above uses every score.
      const ious: number[] = [];
      for (const imageId of evalIds)
        for (const c of stuffIds) {
          const g = gts.find((x) => x.imageId === imageId && x.categoryId === c);
          const d = dts
            .filter((x) => x.imageId === imageId && x.categoryId === c && (x.score ?? 0) >= STUFF_MIN_SCORE)
            .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0];
          if (!g && !d) continue;
          ious.push(g && d ? maskIoU(d.mask, g.mask) : 0);
        }
      const miou = ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : NaN;
      const f = (x: number) => (x < 0 ? 'n/a' : x.toFixed(3));
      console.log(
        `${name}: things mask AP ${f(things.ap)}, AP50 ${f(things.ap50)}, AP75 ${f(things.ap75)}, AR@100 ${f(things.ar100)} (small ${f(things.apSmall)}, medium ${f(things.apMedium)}, large ${f(things.apLarge)}); stuff mIoU ${miou.toFixed(3)} over ${ious.length} regions; ${dts.length} proposals, ${end.done} images in ${seconds.toFixed(1)} s (${(end.done / seconds).toFixed(2)} images/s)`,
      );
    };

    await run('by name (all 68 labels)', { source: 'names', minScore: 0.05 });

    // One example per category, from the other held-out scenes.
    const examples = gtCoco.categories.flatMap((c) => {
      const a = exCoco.annotations.find((x) => x.category_id === c.id && x.bbox[2] * x.bbox[3] >= 256);
      if (!a) return [];
      const img = exCoco.images.find((i) => i.id === a.image_id)!;
      const [x, y, w, h] = a.bbox;
      return [{ imageId: byPath.get(`examples/${img.file_name}`)!, labelId: `c${c.id}`, box: { x, y, w, h } }];
    });
    project.applyBatch(
      examples.map((e, i) => ({
        type: 'annotation.put' as const,
        annotation: {
          id: `example-${i}`,
          imageId: e.imageId,
          labelId: e.labelId,
          geometry: { kind: 'box' as const, box: e.box },
          score: null,
          source: 'manual',
          createdAt: 0,
          updatedAt: 0,
          revision: 0,
          example: true,
        },
      })),
    );
    console.log(
      `by example: ${examples.length} of ${gtCoco.categories.length} categories have an example in ${exampleCount} other held-out scenes`,
    );
    await run('by example (one example per label)', { source: 'examples', minScore: 0.05 });
  } finally {
    await engine.close();
    project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
