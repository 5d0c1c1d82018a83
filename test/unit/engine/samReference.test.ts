// Segment Anything and MobileSAM through the app against the official
// SamPredictor: the fixtures of test/fixtures/sam (official SAM model code,
// random weights, normalised NCHW encoder, the official decoder export) and
// test/fixtures/mobilesam (official TinyViT, random weights, samexporter's
// raw-image encoder format, `preprocessing.encoderInput: 'raw-hwc'`, with the
// SAM decoder). Each pair is installed from its files alone (recognition,
// generated manifest, onnxruntime check), then run by the engine on three
// photographs of different aspect ratios (landscape with an Adobe RGB
// profile, portrait, a downscaled square) with six prompts each (click,
// click + negative, box, box + click, two clicks, and a refinement fed the
// click's low-res logits). Every one of the four candidates must match the
// predictor's mask (IoU >= 0.99) with its predicted IoU, and the preselected
// one must be the 4-mask export's own pick (select_masks).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type CandidateSet, promptSetSchema, type Rle } from '../../../common/contract/index.js';
import { type BinaryMask, maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';
import { addModelFromFiles } from '../../../engine/recognition/addModel.js';
import { readManifest } from '../../../engine/worker/models/segmenter/manifest.js';
import { featureKeyPrefix } from '../../../engine/worker/models/segmenter/modelRuntime.js';
import { preprocessImage } from '../../../engine/worker/models/segmenter/preprocess.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import { filesSource, readJson, ROOT } from './issue11Fixtures.js';

interface ReferencePrompt {
  name: string;
  predict_args: { point_coords?: [number, number][]; point_labels?: number[]; box?: [number, number, number, number] };
  iou_predictions: number[];
  masks: Rle[];
  areas: number[];
  predictor_multimask_best_index: number;
  single_mask_export_picks_index: number;
  mask_input?: { from_prompt: string; low_res_masks_index: number };
}
interface ReferencePhoto {
  name: string;
  file: string;
  orig_size_hw: [number, number];
  resized_size_hw: [number, number];
  resized_rgb_sha256: string;
  prompts: ReferencePrompt[];
}
interface Reference {
  photos: ReferencePhoto[];
}

const SAM_DIR = join(ROOT, 'test', 'fixtures', 'sam');
const MOBILESAM_DIR = join(ROOT, 'test', 'fixtures', 'mobilesam');
const BUILTIN = join(ROOT, 'models');
const full = (rle: Rle): BinaryMask => ({ width: rle.size[1], height: rle.size[0], data: rleToMask(rle) });

function promptsOf(p: ReferencePrompt) {
  const a = p.predict_args;
  return promptSetSchema.parse({
    clicks: (a.point_coords ?? []).map(([x, y], i) => ({ x, y, positive: a.point_labels![i] === 1 })),
    ...(a.box ? { box: a.box } : {}),
  });
}

const fixtures = [
  {
    name: 'Segment Anything (normalised NCHW encoder)',
    id: 'sam-fixture',
    encoderInput: 'normalised-nchw',
    files: [join(SAM_DIR, 'encoder.onnx'), join(SAM_DIR, 'decoder.onnx')],
    reference: join(SAM_DIR, 'reference.json.gz'),
  },
  {
    name: 'MobileSAM (raw-image HWC encoder)',
    id: 'mobilesam-fixture',
    encoderInput: 'raw-hwc',
    files: [join(MOBILESAM_DIR, 'encoder.onnx'), join(SAM_DIR, 'decoder.onnx')],
    reference: join(MOBILESAM_DIR, 'reference.json.gz'),
  },
] as const;

for (const fixture of fixtures) {
  describe(`${fixture.name} installed from its files, through the engine, vs SamPredictor`, () => {
    const reference = readJson<Reference>(fixture.reference);
    const user = mkdtempSync(join(tmpdir(), 'promptlabel-sam-ref-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'promptlabel-sam-ref-features-'));
    const paths = reference.photos.map((p) => join(ROOT, p.file));
    const source: ImageSource = { ...filesSource(paths), cacheDir };
    let engine: InferenceEngine;
    let modelDir = '';
    const ious: number[] = [];
    let worstScore = 0;

    before(async () => {
      // The onnxruntime check of the add is on (the default): the model must load as installed.
      const added = await addModelFromFiles([...fixture.files], { userModelsDir: user, builtinDir: BUILTIN, id: fixture.id });
      modelDir = added.dir;
      engine = new InferenceEngine({
        roots: { builtin: BUILTIN, user },
        settingsPath: null,
        settings: { executionProvider: 'cpu', modelId: fixture.id, prefetchCount: 0 },
      });
    });
    after(async () => {
      await engine?.close();
      rmSync(user, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    });

    it(`is recognised and installed with preprocessing.encoderInput "${fixture.encoderInput}" and the Pillow-compatible resize on stored colours`, async () => {
      const m = await readManifest(modelDir);
      assert.equal(m.kind, 'promptable-segmenter');
      assert.equal(m.preprocessing.encoderInput, fixture.encoderInput);
      assert.equal(m.preprocessing.resize, 'pillow-bilinear');
      assert.equal(m.preprocessing.colour, 'stored');
      assert.equal(m.preprocessing.inputSize, 1024);
      assert.equal(m.decoder.numMasks, 4);
      assert.equal(m.decoder.bestMask, 'sam-select');
    });

    it("feeds the encoder the input its format takes, from ResizeLongestSide's exact pixels", async () => {
      const m = await readManifest(modelDir);
      for (const photo of reference.photos) {
        const pre = await preprocessImage(join(ROOT, photo.file), m.preprocessing);
        const [h, w] = photo.resized_size_hw;
        assert.deepEqual([pre.frame.resizedHeight, pre.frame.resizedWidth], [h, w], photo.name);
        if (fixture.encoderInput === 'raw-hwc') {
          assert.deepEqual(pre.dims, [h, w, 3], `${photo.name}: the resized image, not padded`);
          const bytes = Uint8Array.from(pre.tensor);
          assert.ok(
            pre.tensor.every((v, i) => v === bytes[i]),
            `${photo.name}: 0-255 values, not normalised`,
          );
          assert.equal(createHash('sha256').update(bytes).digest('hex'), photo.resized_rgb_sha256, `${photo.name}: the resized RGB bytes`);
        } else {
          assert.deepEqual(pre.dims, [1, 3, 1024, 1024], photo.name);
        }
      }
    });

    for (const [i, photo] of reference.photos.entries()) {
      const [height, width] = photo.orig_size_hw;
      it(`${photo.name} (${width}x${height}): all four candidates of every prompt equal the predictor's (IoU >= 0.99), best = the export's pick`, async () => {
        const imageId = i + 1;
        const sets = new Map<string, CandidateSet>();
        for (const p of photo.prompts) {
          const prompt = await toWorkerPrompt(source, imageId, promptsOf(p));
          const from = p.mask_input ? sets.get(p.mask_input.from_prompt) : undefined;
          if (p.mask_input) assert.ok(from, `${photo.name} ${p.name}: the prompt it refines ran first`);
          const previous = from && p.mask_input ? { candidateSetId: from.id, index: p.mask_input.low_res_masks_index } : undefined;
          const set = await engine.segment(source, { imageId, prompt, previous });
          sets.set(p.name, set);
          assert.equal(set.candidates.length, 4, `${photo.name} ${p.name}`);
          assert.equal(set.best, p.single_mask_export_picks_index, `${photo.name} ${p.name}: preselected candidate`);
          for (const [k, want] of p.masks.entries()) {
            const got = full((await engine.materialize(set.id, k)).rle);
            const iou = maskIoU(got, full(want));
            ious.push(iou);
            assert.ok(
              iou >= 0.99,
              `${photo.name} ${p.name} candidate ${k}: IoU ${iou.toFixed(5)} (area ${set.candidates[k]!.area} vs ${p.areas[k]})`,
            );
            const scoreError = Math.abs(set.candidates[k]!.score! - p.iou_predictions[k]!);
            worstScore = Math.max(worstScore, scoreError);
            assert.ok(
              scoreError < 1e-3,
              `${photo.name} ${p.name} candidate ${k}: predicted IoU ${set.candidates[k]!.score} vs ${p.iou_predictions[k]}`,
            );
          }
        }
      });
    }

    it('reports the agreement over all candidates', (t) => {
      assert.equal(
        ious.length,
        reference.photos.reduce((n, photo) => n + photo.prompts.length * 4, 0),
      );
      const min = Math.min(...ious);
      const line = `${fixture.name} vs SamPredictor: ${ious.length} candidates, min IoU ${min.toFixed(6)}, ${ious.filter((v) => v >= 0.99).length} at >= 0.99, ${ious.filter((v) => v >= 0.9999).length} at >= 0.9999; worst predicted-IoU difference ${worstScore.toExponential(2)}`;
      t.diagnostic(line);
      console.log(line);
      assert.ok(min >= 0.99);
    });
  });
}

describe('encoder input format and the feature cache', () => {
  it('the feature-cache key includes preprocessing.encoderInput', async () => {
    const user = mkdtempSync(join(tmpdir(), 'promptlabel-sam-key-'));
    try {
      const added = await addModelFromFiles([join(MOBILESAM_DIR, 'encoder.onnx'), join(SAM_DIR, 'decoder.onnx')], {
        userModelsDir: user,
        builtinDir: BUILTIN,
        id: 'mobilesam-key',
        checkGraph: null,
      });
      const m = await readManifest(added.dir);
      assert.equal(m.preprocessing.encoderInput, 'raw-hwc');
      const raw = featureKeyPrefix('mobilesam-key', m);
      // The same model and weights described as the other input format: another key.
      assert.notEqual(
        featureKeyPrefix('mobilesam-key', { ...m, preprocessing: { ...m.preprocessing, encoderInput: 'normalised-nchw' } }),
        raw,
      );
      assert.equal(featureKeyPrefix('mobilesam-key', { ...m, preprocessing: { ...m.preprocessing } }), raw);
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });

  it('a raw-image encoder refuses a normalised tensor, and a normalised one refuses an HWC image, with clear errors', async () => {
    const user = mkdtempSync(join(tmpdir(), 'promptlabel-sam-feed-'));
    try {
      const raw = await addModelFromFiles([join(MOBILESAM_DIR, 'encoder.onnx'), join(SAM_DIR, 'decoder.onnx')], {
        userModelsDir: user,
        builtinDir: BUILTIN,
        id: 'raw',
        checkGraph: null,
      });
      const nchw = await addModelFromFiles([join(SAM_DIR, 'encoder.onnx'), join(SAM_DIR, 'decoder.onnx')], {
        userModelsDir: user,
        builtinDir: BUILTIN,
        id: 'nchw',
        checkGraph: null,
      });
      const [rawSeg, nchwSeg] = await Promise.all([PromptableSegmenter.load(raw.dir), PromptableSegmenter.load(nchw.dir)]);
      try {
        await assert.rejects(
          rawSeg.encodeTensor(new Float32Array(3 * 1024 * 1024)),
          /encoder input must be the resized image \[h, w, 3\] with its longest side 1024/,
        );
        await assert.rejects(rawSeg.encodeTensor(new Float32Array(10 * 20 * 3), [10, 20, 3]), /longest side 1024/);
        await assert.rejects(
          nchwSeg.encodeTensor(new Float32Array(683 * 1024 * 3), [683, 1024, 3]),
          /encoder input must hold 3 x 1024 x 1024 values/,
        );
      } finally {
        await Promise.all([rawSeg.release(), nchwSeg.release()]);
      }
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });
});
