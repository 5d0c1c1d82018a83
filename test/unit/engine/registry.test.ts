// Models the user drops into their models folder: listed with what is wrong
// with them, refused with a clear message, and never breaking the model that works.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { promptSetSchema } from '../../../common/contract/index.js';
import { maskIoU } from '../../../common/geometry/binaryMask.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { type ImageSource, InferenceEngine } from '../../../engine/engine.js';
import { toWorkerPrompt } from '../../../engine/promptValidation.js';
import { listModels } from '../../../engine/registry.js';
import { annotationMask, MODEL_DIR, readSamples, SAMPLES_DIR } from '../models/cocoGt.js';

const BUILTIN = join(MODEL_DIR, '..');

/** A copy of the built-in model under another id, with its manifest edited. */
function userModel(root: string, id: string, edit: (manifest: Record<string, unknown>) => void = () => undefined): string {
  const dir = join(root, id);
  cpSync(MODEL_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  manifest.id = id;
  edit(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('model registry and broken user models', () => {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-models-'));
  const settingsPath = join(mkdtempSync(join(tmpdir(), 'promptlabel-settings-')), 'engine-settings.json');
  let engine: InferenceEngine;
  const source: ImageSource = {
    cacheDir: null,
    imagePath: () => join(SAMPLES_DIR, 'shapes_0001.jpg'),
    imageSize: async () => ({ width: 590, height: 616 }),
    labels: () => [],
  };

  before(() => {
    userModel(root, 'good-copy');
    rmSync(join(userModel(root, 'missing-decoder'), 'decoder.onnx'));
    userModel(root, 'renamed-input', (m) => {
      const decoder = m.decoder as { inputs: { name: string }[] };
      decoder.inputs[1]!.name = 'point_coordinates';
    });
    // Valid as a manifest, wrong for its graph: only loading the ONNX file can tell.
    userModel(root, 'wrong-encoder-input', (m) => {
      const encoder = m.encoder as { inputs: { name: string }[] };
      encoder.inputs[0]!.name = 'pixel_values';
    });
    userModel(root, 'shapes-seem-tiny');
    writeFileSync(join(userModel(root, 'not-json'), 'manifest.json'), '{ this is not json');
    engine = new InferenceEngine({ roots: { builtin: BUILTIN, user: root }, settingsPath });
  });
  after(() => engine.close());

  it('lists every model folder, with the reason the broken ones cannot be used', async () => {
    const models = await listModels({ builtin: BUILTIN, user: root });
    const byId = new Map(models.map((m) => [m.id, m]));
    const builtin = models.find((m) => m.id === 'shapes-seem-tiny' && m.source === 'builtin')!;
    assert.equal(builtin.kind, 'segmenter');
    assert.equal(builtin.problem, null);
    assert.match(builtin.note ?? '', /synthetic/);
    const classical = models.find((m) => m.id === 'opencv-classical')!;
    assert.equal(classical.kind, 'classical');
    assert.deepEqual([classical.capabilities.wand, classical.capabilities.regions, classical.capabilities.text], [true, true, false]);
    assert.deepEqual(builtin.capabilities, {
      points: true,
      box: true,
      scribble: true,
      text: true,
      reference: true,
      labels: true,
      wand: false,
      regions: false,
      everything: true,
      caption: true,
    });
    assert.equal(byId.get('good-copy')?.problem, null);
    assert.match(byId.get('missing-decoder')?.problem ?? '', /decoder\.onnx: missing/);
    assert.match(byId.get('not-json')?.problem ?? '', /manifest\.json is not usable/);
    assert.match(byId.get('renamed-input')?.problem ?? '', /"point_coordinates" is not a decoder input/);
    assert.equal(byId.get('wrong-encoder-input')?.problem, null, 'the manifest alone looks fine');
    const shadow = models.filter((m) => m.id === 'shapes-seem-tiny' && m.source === 'user');
    assert.equal(shadow.length, 1);
    assert.match(shadow[0]!.problem ?? '', /already has the id/);
  });

  it('refuses a model with a missing file, and one whose input names do not match its graph, keeping the working model', async () => {
    await assert.rejects(engine.configure({ modelId: 'missing-decoder' }), /cannot be used: decoder\.onnx: missing/);
    const prompt = await toWorkerPrompt(source, 1, promptSetSchema.parse({ clicks: [{ x: 300, y: 300, positive: true }] }));
    await engine.segment(source, { imageId: 1, prompt }); // loads the built-in model
    await assert.rejects(engine.configure({ modelId: 'renamed-input' }), /point_coordinates/);
    await assert.rejects(engine.configure({ modelId: 'wrong-encoder-input' }), /pixel_values/);
    assert.equal(engine.status().settings.modelId, 'shapes-seem-tiny', 'settings went back');
    assert.match(engine.status().note ?? '', /pixel_values/, `the UI status says why: ${engine.status().note}`);
    assert.equal(JSON.parse(readFileSync(settingsPath, 'utf8')).modelId, 'shapes-seem-tiny');
    const stillWorks = await engine.segment(source, { imageId: 1, prompt });
    assert.equal(stillWorks.modelId, 'shapes-seem-tiny');
  });

  it('switches to a good user model and back', async () => {
    const status = await engine.configure({ modelId: 'good-copy' });
    assert.equal(status.modelId, 'good-copy');
    const prompt = await toWorkerPrompt(source, 1, promptSetSchema.parse({ box: [100, 100, 300, 300] }));
    assert.equal((await engine.segment(source, { imageId: 1, prompt })).modelId, 'good-copy');
    assert.equal((await engine.configure({ modelId: 'shapes-seem-tiny' })).modelId, 'shapes-seem-tiny');
  });

  it('runs a model with only the Segment Anything signature (1024 px, ImageNet stats) from the user folder', async () => {
    cpSync(join(MODEL_DIR, '..', '..', 'test', 'fixtures', 'sam-format'), join(root, 'sam-format'), { recursive: true });
    const listed = (await engine.models()).find((m) => m.id === 'sam-format-fixture');
    assert.ok(listed && listed.problem === null, listed?.problem ?? 'not listed');
    assert.deepEqual(listed.capabilities, {
      points: true,
      box: true,
      scribble: true,
      text: false,
      reference: false,
      labels: false,
      wand: false,
      regions: false,
      everything: true,
      caption: false,
    });
    await engine.configure({ modelId: 'sam-format-fixture' });
    const labelled: ImageSource = { ...source, labels: () => [{ labelId: 'l1', name: 'red circle' }] };
    // The red square of shapes_0001.jpg, from the samples' ground truth.
    const coco = await readSamples();
    const square = coco.annotations.find((a) => a.image_id === 1 && a.phrase === 'red square')!;
    const [x, y, w, h] = square.bbox;
    const prompt = await toWorkerPrompt(labelled, 1, promptSetSchema.parse({ box: [x, y, x + w, y + h] }));
    const set = await engine.segment(labelled, { imageId: 1, prompt });
    assert.equal(set.modelId, 'sam-format-fixture');
    const best = set.candidates[set.best]!;
    const mask = await engine.materialize(set.id, set.best);
    const iou = maskIoU({ width: 590, height: 616, data: rleToMask(mask.rle) }, await annotationMask(square, 590, 616));
    assert.ok(iou >= 0.8, `box IoU ${iou.toFixed(3)}`);
    assert.deepEqual(best.labels, [], 'no class embeddings, so no label guesses');
    const text = await toWorkerPrompt(labelled, 1, promptSetSchema.parse({ text: 'red circle' }));
    await assert.rejects(engine.segment(labelled, { imageId: 1, prompt: text }), /cannot take text prompts/);
    await engine.configure({ modelId: 'shapes-seem-tiny' });
  });

  it('offers only the execution providers this platform has', async () => {
    // The worker answers (onnxruntime is not loaded in this process); the status shows the same list.
    const available = await engine.executionProviders();
    assert.ok(available.includes('auto') && available.includes('cpu'));
    assert.deepEqual(engine.status().availableProviders, available);
    const missing = (['dml', 'coreml', 'cuda'] as const).find((p) => !available.includes(p));
    if (missing) await assert.rejects(engine.configure({ executionProvider: missing }), /not available here/);
    assert.equal(engine.status().activeProvider, 'cpu');
  });
});
