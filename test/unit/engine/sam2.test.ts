// SAM 2 through the engine against the official SAM2ImagePredictor: the
// fixture pair of test/fixtures/sam2 (SAM 2 model code with random weights,
// samexporter's decoder export) on three photographs of different aspect
// ratios, six prompts each (clicks, a negative click, a box, box + click, and
// a refinement fed the previous round's low-res logits). Every one of the
// three candidates must match the predictor's mask (IoU >= 0.99), with its
// predicted IoU, and the preselected one must be the predictor's pick. The
// three feature tensors are cached together, in memory and on disk.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type CandidateSet, promptSetSchema, type Rle } from '../../../common/contract/index.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';
import { type CachedFeatures, diskCachePath, readDiskFeatures, writeDiskFeatures } from '../../../engine/worker/featureCache.js';
import { sam2Points } from '../../../engine/worker/models/sam2/prompts.js';
import { filesSource, installSam2, readJson, ROOT, SAM2_DIR } from './issue11Fixtures.js';

interface ReferencePrompt {
  id: string;
  point_coords: [number, number][] | null;
  point_labels: number[] | null;
  box: [number, number, number, number] | null;
  decoder_inputs: { point_coords: [number, number][]; point_labels: number[]; has_mask_input: number };
  multimask: { scores: number[]; best: number; areas: number[]; masks: Rle[] };
  single: { score: number; area: number; mask: Rle; source: string };
}
interface ReferenceImage {
  name: string;
  path: string;
  width: number;
  height: number;
  prompts: ReferencePrompt[];
}

const reference = readJson<{ images: ReferenceImage[] }>(join(SAM2_DIR, 'reference.json'));
const full = (rle: Rle): BinaryMask => ({ width: rle.size[1], height: rle.size[0], data: rleToMask(rle) });

function promptsOf(p: ReferencePrompt) {
  return promptSetSchema.parse({
    clicks: (p.point_coords ?? []).map(([x, y], i) => ({ x, y, positive: p.point_labels![i] === 1 })),
    ...(p.box ? { box: p.box } : {}),
  });
}

describe('SAM 2 prompt points (SAM2ImagePredictor’s transform)', () => {
  it('maps points to x/W*1024, y/H*1024, box corners first (labels 2, 3), and adds no padding point', () => {
    for (const image of reference.images) {
      for (const p of image.prompts) {
        const prompt = promptsOf(p);
        const points = sam2Points({ clicks: prompt.clicks, box: prompt.box, scribbles: [] }, image.width, image.height, 1024);
        assert.deepEqual([...points.labels], p.decoder_inputs.point_labels, `${image.name} ${p.id}: labels`);
        assert.deepEqual([...points.coords], p.decoder_inputs.point_coords.flat(), `${image.name} ${p.id}: coordinates (float32)`);
      }
    }
  });
});

describe('SAM 2 fixture through the engine vs SAM2ImagePredictor', () => {
  let engine: InferenceEngine;
  const user = mkdtempSync(join(tmpdir(), 'promptlabel-sam2-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'promptlabel-sam2-features-'));
  const paths = reference.images.map((i) => join(ROOT, i.path));
  const source: ImageSource = { ...filesSource(paths), cacheDir };
  const ious: number[] = [];
  let worstScore = 0;

  before(() => {
    installSam2(user);
    engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user },
      settingsPath: null,
      settings: { executionProvider: 'cpu', modelId: 'sam2-fixture' },
    });
  });
  after(() => engine.close());

  for (const [i, image] of reference.images.entries()) {
    it(`${image.name} (${image.width}x${image.height}): all three candidates of every prompt equal the predictor's (IoU >= 0.99), best = its pick`, async () => {
      const imageId = i + 1;
      const sets = new Map<string, CandidateSet>();
      for (const p of image.prompts) {
        const prompt = await toWorkerPrompt(source, imageId, promptsOf(p));
        const from = p.id === 'refine_mask_input' ? sets.get('click')! : undefined;
        const previous = from ? { candidateSetId: from.id, index: from.best } : undefined;
        const set = await engine.segment(source, { imageId, prompt, previous });
        sets.set(p.id, set);
        assert.equal(set.candidates.length, 3, `${image.name} ${p.id}`);
        assert.equal(set.best, p.multimask.best, `${image.name} ${p.id}: preselected candidate`);
        assert.match(set.selectionRule ?? '', /highest predicted IoU/);
        for (const [k, want] of p.multimask.masks.entries()) {
          const got = full((await engine.materialize(set.id, k)).rle);
          const iou = maskIoU(got, full(want));
          ious.push(iou);
          assert.ok(
            iou >= 0.99,
            `${image.name} ${p.id} candidate ${k}: IoU ${iou.toFixed(5)} (area ${set.candidates[k]!.area} vs ${p.multimask.areas[k]})`,
          );
          const scoreError = Math.abs(set.candidates[k]!.score! - p.multimask.scores[k]!);
          worstScore = Math.max(worstScore, scoreError);
          assert.ok(
            scoreError < 2e-3,
            `${image.name} ${p.id} candidate ${k}: predicted IoU ${set.candidates[k]!.score} vs ${p.multimask.scores[k]}`,
          );
        }
      }
    });
  }

  it('reports the agreement over all candidates', () => {
    assert.equal(
      ious.length,
      reference.images.reduce((n, im) => n + im.prompts.length * 3, 0),
    );
    const min = Math.min(...ious);
    console.log(
      `SAM 2 vs SAM2ImagePredictor: ${ious.length} candidates, min IoU ${min.toFixed(5)}, ${ious.filter((v) => v >= 0.9999).length} at >= 0.9999; worst predicted-IoU difference ${worstScore.toExponential(2)}`,
    );
    assert.ok(min >= 0.99);
  });

  it('segments everything from a grid of clicks: only candidates above the score and stability floors, duplicates removed', async () => {
    const image = reference.images[2]!;
    const n = 4;
    let passing = 0;
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const click = { x: ((col + 0.5) / n) * image.width, y: ((row + 0.5) / n) * image.height, positive: true };
        const set = await engine.segment(source, { imageId: 3, prompt: { clicks: [click], scribbles: [] } });
        passing += set.candidates.filter((c) => (c.score ?? 0) >= 0.3 && c.stability >= 0.8 && c.area > 0).length;
      }
    }
    const everything = await engine.everything(source, {
      imageId: 3,
      params: { pointsPerSide: n, minScore: 0.3, minAreaFraction: 0, nmsIoU: 0.7 },
    });
    assert.ok(everything.candidates.length <= passing, `${everything.candidates.length} proposals from ${passing} candidates`);
    assert.equal(everything.candidates.length === 0, passing === 0, 'proposals exactly when some candidate passes');
    assert.ok(everything.candidates.every((c) => c.area > 0 && c.stability >= 0.8 && (c.score ?? 0) >= 0.3));
    assert.match(everything.selectionRule ?? '', /duplicates removed/);
  });

  it('keeps the three feature tensors together on disk, and a second engine reads them instead of encoding', async () => {
    const files = readdirSync(join(cacheDir, 'sam2-fixture'));
    assert.equal(files.length, reference.images.length);
    const other = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user },
      settingsPath: null,
      settings: { executionProvider: 'cpu', modelId: 'sam2-fixture' },
    });
    try {
      const p = reference.images[0]!.prompts[0]!;
      const prompt = await toWorkerPrompt(source, 1, promptsOf(p));
      const set = await other.segment(source, { imageId: 1, prompt });
      assert.equal(set.timing.featureSource, 'disk');
      const iou = maskIoU(full((await other.materialize(set.id, 0)).rle), full(p.multimask.masks[0]!));
      assert.ok(iou >= 0.99);
    } finally {
      await other.close();
    }
  });
});

describe('feature files with several tensors', () => {
  it('round-trip, and a file whose extra tensors do not add up is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptlabel-feat-extra-'));
    const features: CachedFeatures = {
      key: 'k',
      frame: { origWidth: 10, origHeight: 20, resizedWidth: 16, resizedHeight: 16, inputSize: 16 },
      embeddings: { data: Float32Array.from({ length: 2 * 2 * 2 }, (_, i) => i), channels: 2, grid: 2, stride: 8 },
      extra: [
        { name: 'a', dims: [1, 1, 3, 3], data: Float32Array.from({ length: 9 }, (_, i) => -i) },
        { name: 'b', dims: [1, 2, 1, 1], data: Float32Array.from([7, 8]) },
      ],
    };
    const path = diskCachePath(dir, 'm', 'h');
    writeDiskFeatures(path, features);
    const back = readDiskFeatures(path, 'k')!;
    assert.deepEqual([...back.embeddings.data], [...features.embeddings.data]);
    assert.deepEqual(
      back.extra!.map((t) => [t.name, t.dims, [...t.data]]),
      features.extra!.map((t) => [t.name, t.dims, [...t.data]]),
    );
    writeDiskFeatures(path, { ...features, extra: [{ name: 'a', dims: [1, 1, 3, 3], data: new Float32Array(8) }] });
    assert.equal(readDiskFeatures(path, 'k'), null, 'the header promises 9 values, the body holds 8');
  });
});
