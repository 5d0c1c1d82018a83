// The inference engine end to end on the built-in model: a real worker
// thread, real onnxruntime runs, the sample images and their ground truth.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AppError, type CandidateSet, type EventMap, promptSetSchema } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';
import { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import {
  annotationMask,
  type CocoAnnotation,
  type CocoSamples,
  interiorPoint,
  MODEL_DIR,
  probeObjects,
  readSamples,
  SAMPLES_DIR,
} from '../models/cocoGt.js';

const BUILTIN = join(MODEL_DIR, '..');

interface Case {
  imageId: number;
  ann: CocoAnnotation;
  gt: BinaryMask;
}

function sampleSource(coco: CocoSamples, cacheDir: string | null): ImageSource {
  return {
    cacheDir,
    imagePath: (id) => {
      const image = coco.images.find((i) => i.id === id);
      if (!image) throw new AppError('not_found', `no image ${id}`);
      return join(SAMPLES_DIR, image.file_name);
    },
    imageSize: async (id) => {
      const image = coco.images.find((i) => i.id === id)!;
      return { width: image.width, height: image.height };
    },
    labels: () => coco.categories.map((c) => ({ labelId: `c${c.id}`, name: c.name })),
  };
}

function newEngine(events: { event: string; payload: unknown }[] = []): InferenceEngine {
  return new InferenceEngine({
    roots: { builtin: BUILTIN, user: null },
    settingsPath: null,
    emit: <E extends 'ai.status' | 'ai.features'>(event: E, payload: EventMap[E]) => void events.push({ event, payload }),
  });
}

const fullMask = (rle: { size: [number, number]; counts: string }): BinaryMask => ({
  width: rle.size[1],
  height: rle.size[0],
  data: rleToMask(rle),
});

describe('inference engine on the built-in model', () => {
  let coco: CocoSamples;
  let engine: InferenceEngine;
  let source: ImageSource;
  const cacheDir = mkdtempSync(join(tmpdir(), 'promptlabel-engine-'));
  const cases: Case[] = [];
  const events: { event: string; payload: unknown }[] = [];

  before(async () => {
    coco = await readSamples();
    engine = newEngine(events);
    source = sampleSource(coco, cacheDir);
    // The same objects samples.test.ts uses.
    for (const { image, ann } of probeObjects(coco))
      cases.push({ imageId: image.id, ann, gt: await annotationMask(ann, image.width, image.height) });
    assert.ok(cases.length >= 3);
  });
  after(() => engine.close());

  const segment = async (
    imageId: number,
    prompts: unknown,
    previous?: { candidateSetId: string; index: number },
  ): Promise<CandidateSet> => {
    const prompt = await toWorkerPrompt(source, imageId, promptSetSchema.parse(prompts));
    return engine.segment(source, { imageId, prompt, previous });
  };
  const materialize = async (set: CandidateSet, index = set.best): Promise<BinaryMask> => {
    const candidate = set.candidates[index]!;
    // An empty candidate cannot be accepted; as a mask it is all zeros.
    if (candidate.area === 0) {
      const image = coco.images.find((i) => i.id === set.imageId)!;
      return { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
    }
    return fullMask((await engine.materialize(set.id, index)).rle);
  };

  it('a box gives the object (IoU >= 0.8 on each, mean >= 0.85), at full resolution', async () => {
    let sum = 0;
    for (const c of cases) {
      const [x, y, w, h] = c.ann.bbox;
      const set = await segment(c.imageId, { box: [x, y, x + w, y + h] });
      const iou = maskIoU(await materialize(set), c.gt);
      assert.ok(iou >= 0.8, `box on image ${c.imageId} (${c.ann.phrase}): IoU ${iou.toFixed(3)}`);
      sum += iou;
    }
    assert.ok(sum / cases.length >= 0.85, `mean box IoU ${(sum / cases.length).toFixed(3)}`);
  });

  it('a click gives candidates with predicted IoU, a sharp best one and top-3 labels of the right colour', async () => {
    for (const c of cases) {
      const p = interiorPoint(c.gt);
      const set = await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
      assert.equal(set.candidates.length, 3);
      const ious = await Promise.all(set.candidates.map(async (_, i) => maskIoU(await materialize(set, i), c.gt)));
      assert.ok(Math.max(...ious) >= 0.8, `best of 3 on image ${c.imageId}: ${ious.map((v) => v.toFixed(2))}`);
      const best = set.candidates[set.best]!;
      assert.equal(best.labels.length, 3);
      assert.ok(best.labels[0]!.score >= best.labels[1]!.score && best.labels[1]!.score >= best.labels[2]!.score);
      assert.equal(best.labels[0]!.name.split(' ')[0], c.ann.phrase.split(' ')[0], `colour of the label on image ${c.imageId}`);
    }
  });

  it('the display crop is the same mask as the full-resolution one (these images are small enough for scale 1)', async () => {
    const c = cases[0]!;
    const p = interiorPoint(c.gt);
    const set = await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    const candidate = set.candidates[set.best]!;
    assert.equal(candidate.crop.scale, 1);
    const crop = rleToMask(candidate.crop.rle);
    const full = await materialize(set);
    let inside = 0;
    for (let y = 0; y < candidate.box.h; y++) {
      for (let x = 0; x < candidate.box.w; x++) {
        assert.equal(crop[y * candidate.box.w + x], full.data[(candidate.box.y + y) * full.width + candidate.box.x + x]);
        inside += crop[y * candidate.box.w + x]!;
      }
    }
    assert.equal(inside, candidate.area);
    assert.equal(
      full.data.reduce((a, b) => a + b, 0),
      candidate.area,
      'nothing outside the box',
    );
  });

  it('matches the decoder graph’s own full-size masks (same postprocessing, computed only where the object is)', async () => {
    const c = cases[1]!;
    const p = interiorPoint(c.gt);
    const direct = await PromptableSegmenter.load(MODEL_DIR);
    const encoded = await direct.encodeImage(join(SAMPLES_DIR, coco.images.find((i) => i.id === c.imageId)!.file_name));
    const reference = await direct.segment(encoded, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    const set = await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    for (let i = 0; i < 3; i++) {
      const agree = maskIoU(await materialize(set, i), reference.candidates[i]!.mask());
      assert.ok(agree > 0.995, `candidate ${i}: IoU with the graph's mask ${agree.toFixed(4)}`);
      assert.ok(Math.abs((set.candidates[i]!.score ?? Number.NaN) - reference.candidates[i]!.score) < 1e-4);
    }
  });

  it('a second prompt on the same image hits the feature cache (no encoder run)', async () => {
    const c = cases[2]!;
    const p = interiorPoint(c.gt);
    await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    const again = await segment(c.imageId, { clicks: [{ x: p.x + 1, y: p.y, positive: true }] });
    assert.equal(again.timing.featureSource, 'memory');
    assert.equal(again.timing.encodeMs, 0);
    assert.ok(engine.status().cache.entries >= 1);
  });

  it('refines with a negative click and the previous mask (memory prompt)', async () => {
    const c = cases[0]!;
    const p = interiorPoint(c.gt);
    const first = await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    // A negative click outside the object, where the first mask spills over (or just outside its box).
    const firstMask = await materialize(first);
    let neg: { x: number; y: number } | null = null;
    for (let i = 0; i < firstMask.data.length && !neg; i++) {
      if (firstMask.data[i] && !c.gt.data[i]) neg = { x: (i % firstMask.width) + 0.5, y: Math.floor(i / firstMask.width) + 0.5 };
    }
    neg ??= { x: Math.min(c.ann.bbox[0] + c.ann.bbox[2] + 5, firstMask.width - 1), y: p.y };
    const second = await segment(
      c.imageId,
      {
        clicks: [
          { x: p.x, y: p.y, positive: true },
          { ...neg, positive: false },
        ],
      },
      { candidateSetId: first.id, index: first.best },
    );
    assert.notEqual(second.id, first.id);
    const before = maskIoU(firstMask, c.gt);
    const afterIoU = maskIoU(await materialize(second), c.gt);
    assert.ok(afterIoU >= before - 0.05, `refinement made it worse: ${before.toFixed(3)} -> ${afterIoU.toFixed(3)}`);
    const negIndex = Math.floor(neg.y) * firstMask.width + Math.floor(neg.x);
    assert.equal((await materialize(second)).data[negIndex], 0, 'the negative point is outside the refined mask');
  });

  it('a text prompt and a scribble find their objects', async () => {
    const c = cases.find((k) => k.ann.area > 3000) ?? cases[0]!;
    const byText = await segment(c.imageId, { text: `the ${c.ann.phrase}` });
    const textIoU = Math.max(...(await Promise.all(byText.candidates.map(async (_, i) => maskIoU(await materialize(byText, i), c.gt)))));
    assert.ok(textIoU >= 0.5, `text "${c.ann.phrase}": best IoU ${textIoU.toFixed(3)}`);
    const p = interiorPoint(c.gt);
    const stroke: [number, number][] = Array.from({ length: 40 }, (_, i) => [p.x + (i - 20) * 0.3, p.y + Math.sin(i / 4) * 2]);
    const byScribble = await segment(c.imageId, { scribbles: [{ points: stroke, positive: true }] });
    assert.ok(maskIoU(await materialize(byScribble), c.gt) >= 0.6);
  });

  it('a region of another image finds the same kind of object', async () => {
    // Reference: an object in one image; target: an image with an object of the same category.
    let tried = 0;
    let found = 0;
    for (const target of coco.annotations.filter((a) => a.area > 2500).slice(0, 40)) {
      const ref = coco.annotations.find((a) => a.category_id === target.category_id && a.image_id !== target.image_id && a.area > 2500);
      if (!ref) continue;
      const [x, y, w, h] = ref.bbox;
      const set = await segment(target.image_id, { reference: { imageId: ref.image_id, box: [x, y, x + w, y + h] } });
      const img = coco.images.find((i) => i.id === target.image_id)!;
      const gt = await annotationMask(target, img.width, img.height);
      if (maskIoU(await materialize(set), gt) >= 0.5) found++;
      if (++tried === 6) break;
    }
    assert.ok(tried >= 4, 'not enough reference pairs in the samples');
    assert.ok(found >= 2, `reference prompts found ${found} of ${tried}`);
  });

  it('features survive a restart on disk, and a corrupt features file is rebuilt', async () => {
    const c = cases[3] ?? cases[0]!;
    const p = interiorPoint(c.gt);
    const prompts = { clicks: [{ x: p.x, y: p.y, positive: true }] };
    await segment(c.imageId, prompts);
    const second = newEngine();
    try {
      const prompt = await toWorkerPrompt(source, c.imageId, promptSetSchema.parse(prompts));
      const fromDisk = await second.segment(source, { imageId: c.imageId, prompt });
      assert.equal(fromDisk.timing.featureSource, 'disk');
      const files = readdirSync(join(cacheDir, 'shapes-seem-tiny'));
      assert.ok(files.length >= 1);
      for (const f of files) writeFileSync(join(cacheDir, 'shapes-seem-tiny', f), 'corrupt');
      const third = newEngine();
      try {
        const rebuilt = await third.segment(source, { imageId: c.imageId, prompt });
        assert.equal(rebuilt.timing.featureSource, 'encoded');
        assert.ok(rebuilt.timing.encodeMs > 0);
        const rewritten = readdirSync(join(cacheDir, 'shapes-seem-tiny')).map((f) => join(cacheDir, 'shapes-seem-tiny', f));
        const valid = rewritten.filter((f) => readFileSync(f).subarray(0, 8).toString() === 'PLFEAT01');
        assert.equal(valid.length, 1, 'the corrupt file of the re-encoded image was replaced by a valid one');
      } finally {
        await third.close();
      }
    } finally {
      await second.close();
    }
  });

  it('a killed worker is restarted; the calls it held fail with a clear message', async () => {
    const c = cases[0]!;
    const p = interiorPoint(c.gt);
    const prompts = { clicks: [{ x: p.x, y: p.y, positive: true }] };
    await segment(c.imageId, prompts);
    const inFlight = segment(c.imageId, { ...prompts, text: 'red circle' });
    await engine.crashWorkerForTest();
    await assert.rejects(inFlight, /inference worker stopped unexpectedly/);
    assert.ok(events.some((e) => e.event === 'ai.status' && (e.payload as { worker: string }).worker === 'restarting'));
    const afterRestart = await segment(c.imageId, prompts);
    assert.equal(afterRestart.candidates.length, 3);
    assert.equal(engine.status().worker, 'ready');
  });

  it('cancels long work in flight: it answers "cancelled" at once, and the engine carries on', async () => {
    const c = cases[0]!;
    const p = interiorPoint(c.gt);
    for (let round = 0; round < 5; round++) {
      // 64 x 64 grid points: seconds of decoder runs, stopped a moment after it starts.
      const long = engine.everything(source, {
        imageId: c.imageId,
        params: { pointsPerSide: 64, minScore: 0.5, minAreaFraction: 0.001, nmsIoU: 0.7 },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancelledAt = performance.now();
      assert.equal(engine.cancelRunning(), true);
      await assert.rejects(long, (e: unknown) => e instanceof AppError && e.code === 'conflict' && e.message === 'cancelled');
      assert.ok(performance.now() - cancelledAt < 1000, 'answered without waiting for the grid to finish');
    }
    const started = performance.now();
    const after = await segment(c.imageId, { clicks: [{ x: p.x, y: p.y, positive: true }] });
    assert.equal(after.candidates.length, 3);
    assert.ok(performance.now() - started < 3000, 'the cancelled grid stopped at its next row instead of running on');
    assert.equal(engine.status().worker, 'ready');
    assert.equal(engine.cancelRunning(), false, 'nothing to cancel');
  });

  it('refuses bad prompts with clear errors and runs nothing', async () => {
    const c = cases[0]!;
    const img = coco.images.find((i) => i.id === c.imageId)!;
    await assert.rejects(
      toWorkerPrompt(source, c.imageId, promptSetSchema.parse({ clicks: [{ x: img.width + 10, y: 5, positive: true }] })),
      (e: unknown) =>
        e instanceof AppError && e.code === 'bad_request' && /outside the image/.test(e.message) && e.path === 'prompts.clicks[0]',
    );
    const empty = promptSetSchema.safeParse({ scribbles: [{ points: [], positive: true }] });
    assert.equal(empty.success, false);
    assert.match(JSON.stringify(empty.error?.issues), /at least one point/);
    const many = promptSetSchema.safeParse({ scribbles: [{ points: Array.from({ length: 100_000 }, () => [1, 1]), positive: true }] });
    assert.equal(many.success, false);
    assert.match(JSON.stringify(many.error?.issues), /at most 20000 prompt points/);
    const prompt = await toWorkerPrompt(source, c.imageId, promptSetSchema.parse({ clicks: [{ x: 5, y: 5, positive: true }] }));
    await assert.rejects(engine.segment(source, { imageId: c.imageId, modelId: 'no-such-model', prompt }), /Unknown model "no-such-model"/);
    await assert.rejects(engine.materialize('not-a-set', 0), /no longer available/);
  });

  it('segment everything proposes distinct masks covering most objects', async () => {
    const img = coco.images[0]!;
    const progress: number[] = [];
    const set = await engine.everything(
      source,
      { imageId: img.id, params: { pointsPerSide: 12, minScore: 0.5, minAreaFraction: 0.0005, nmsIoU: 0.7 } },
      (done) => progress.push(done),
    );
    assert.equal(progress.at(-1), 12);
    assert.ok(set.candidates.length >= 2, `${set.candidates.length} proposals`);
    const masks = await Promise.all(set.candidates.map((_, i) => materialize(set, i)));
    for (let i = 0; i < masks.length; i++)
      for (let j = i + 1; j < masks.length; j++) assert.ok(maskIoU(masks[i]!, masks[j]!) <= 0.8, `proposals ${i} and ${j} duplicate`);
    const objects = coco.annotations.filter((a) => a.image_id === img.id && a.referring !== undefined);
    let matched = 0;
    for (const ann of objects) {
      const gt = await annotationMask(ann, img.width, img.height);
      if (masks.some((m) => maskIoU(m, gt) >= 0.5)) matched++;
    }
    assert.ok(matched >= Math.ceil(objects.length / 2), `matched ${matched} of ${objects.length} objects`);
  });

  it('prefetches the next images at low priority and reports them ready', async () => {
    const fresh = newEngine(events);
    try {
      const ids = coco.images.slice(4, 8).map((i) => i.id);
      const ready = new Set<number>();
      const done = new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          for (const e of events)
            if (e.event === 'ai.features' && (e.payload as EventMap['ai.features']).state === 'ready')
              ready.add((e.payload as EventMap['ai.features']).imageId);
          if (ids.every((id) => ready.has(id))) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      const states = await fresh.focus(sampleSource(coco, null), ids[0]!, ids.slice(1));
      assert.equal(states[ids[1]!], 'queued');
      await done;
      const now = await fresh.featureStates(sampleSource(coco, null), ids);
      assert.deepEqual(
        ids.map((id) => now[id]),
        ['ready', 'ready', 'ready', 'ready'],
      );
    } finally {
      await fresh.close();
    }
  });
});
