// The right default (issue 11 item 5): a project that is not the demo starts
// on the best real model installed (SAM family, then the foreground model,
// then the classical tools), the demo project on the built-in demo model; the
// model chosen for a project is remembered for it (engine settings keyed by
// project folder). And honest labels: a guess that does not stand out is not
// marked confident.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { isLabelConfident, type ModelInfo } from '../../../common/contract/index.js';
import { defaultModelFor, isSamFamily } from '../../../engine/defaultModel.js';
import { InferenceEngine } from '../../../engine/engine.js';
import { NO_CAPABILITIES } from '../../../engine/worker/models/unusableModel.js';
import { filesSource, installSam2, installYolo, ROOT } from './issue11Fixtures.js';

const model = (
  id: string,
  kind: ModelInfo['kind'],
  caps: Partial<ModelInfo['capabilities']> = {},
  problem: string | null = null,
): ModelInfo => ({
  id,
  displayName: id,
  kind,
  source: 'user',
  dir: `/m/${id}`,
  license: 'x',
  problem,
  note: null,
  capabilities: { ...NO_CAPABILITIES, points: true, box: true, ...caps },
});
const demo = model('shapes-seem-tiny', 'segmenter', { text: true, reference: true, labels: true });
const classical = model('opencv-classical', 'classical', { wand: true });
const foreground = model('isnet-small', 'foreground');
const samVitB = model('sam-vit-b', 'segmenter', { scribble: true, everything: true });
const sam2 = model('sam2-tiny', 'sam2');
const yolo = model('yolo11n', 'detector', { points: false, box: false, detect: true });

describe('default model for a project', () => {
  it('ranks SAM family, then foreground, then classical; the demo model only for the demo project or when nothing else works', () => {
    assert.equal(defaultModelFor([classical, demo], { demo: false }), 'opencv-classical');
    assert.equal(defaultModelFor([classical, demo], { demo: true }), 'shapes-seem-tiny');
    assert.equal(defaultModelFor([classical, demo, foreground], { demo: false }), 'isnet-small');
    assert.equal(defaultModelFor([classical, demo, foreground, yolo, sam2], { demo: false }), 'sam2-tiny');
    assert.equal(defaultModelFor([classical, demo, samVitB, foreground], { demo: false }), 'sam-vit-b');
    assert.equal(
      defaultModelFor([classical, demo, { ...samVitB, problem: 'decoder.onnx: missing' }], { demo: false }),
      'opencv-classical',
      'a broken model is never the default',
    );
    assert.equal(defaultModelFor([demo, yolo], { demo: false }), 'shapes-seem-tiny', 'a detector takes no prompts: never a default');
    assert.equal(defaultModelFor([], { demo: false }), null);
  });

  it('tells SAM-family models from the demo model by their capabilities', () => {
    assert.deepEqual([demo, classical, foreground, samVitB, sam2, yolo].map(isSamFamily), [false, false, false, true, true, false]);
  });

  it('starts a new project on the best real model, the demo project on the demo model, and remembers a choice per project', async () => {
    const user = mkdtempSync(join(tmpdir(), 'promptlabel-default-'));
    const settingsPath = join(user, 'engine-settings.json');
    const models = join(user, 'models');
    mkdirSync(models);
    installYolo(models, 'yolo-det');
    const demoDir = join(user, 'demo-project');
    const options = { roots: { builtin: join(ROOT, 'models'), user: models }, settingsPath, demoProjectDir: demoDir };
    const events: string[] = [];
    const engine = new InferenceEngine({
      ...options,
      emit: (event, payload) =>
        void (event === 'ai.status' && events.push((payload as { settings: { modelId: string } }).settings.modelId)),
    });
    try {
      await engine.useProject('/photos/cats');
      assert.equal(engine.status().settings.modelId, 'opencv-classical', 'no SAM or foreground model installed: the classical tools');
      await engine.useProject(demoDir);
      assert.equal(engine.status().settings.modelId, 'shapes-seem-tiny');
      installSam2(models);
      await engine.useProject('/photos/dogs');
      assert.equal(engine.status().settings.modelId, 'sam2-fixture', 'a SAM-family model, once installed');
      await engine.configure({ modelId: 'opencv-classical' });
      await engine.useProject('/photos/cats');
      assert.equal(engine.status().settings.modelId, 'sam2-fixture', 'no choice made for this one: the best real model');
      await engine.useProject('/photos/dogs');
      assert.equal(engine.status().settings.modelId, 'opencv-classical', 'the choice made for this project');
      assert.ok(events.includes('sam2-fixture') && events.at(-1) === 'opencv-classical', 'the UI hears of each change');
      const stored = JSON.parse(readFileSync(settingsPath, 'utf8')) as { projectModels: Record<string, string> };
      assert.deepEqual(stored.projectModels, { '/photos/dogs': 'opencv-classical' });
    } finally {
      await engine.close();
    }
    const again = new InferenceEngine(options);
    try {
      await again.useProject('/photos/dogs');
      assert.equal(again.status().settings.modelId, 'opencv-classical', 'remembered across restarts');
      assert.equal(await again.defaultModel(), 'sam2-fixture', 'what the CLI uses without --model');
    } finally {
      await again.close();
    }
  });
});

describe('label confidence', () => {
  it('is set on every candidate the engine returns, by that rule', async () => {
    const engine = new InferenceEngine({
      roots: { builtin: join(ROOT, 'models'), user: null },
      settingsPath: null,
      settings: { executionProvider: 'cpu' },
    });
    try {
      const labels = ['red circle', 'blue square', 'green triangle', 'sky'].map((name, i) => ({ labelId: `l${i}`, name }));
      const source = filesSource([join(ROOT, 'assets', 'samples', 'shapes_0001.jpg')], labels);
      const set = await engine.segment(source, {
        imageId: 1,
        modelId: 'shapes-seem-tiny',
        prompt: { clicks: [{ x: 110, y: 220, positive: true }], scribbles: [] },
      });
      assert.equal(set.candidates.length, 3);
      for (const c of set.candidates) {
        assert.equal(c.labels.length, 3);
        assert.equal(c.labelConfident, isLabelConfident(c.labels));
      }
      assert.match(set.selectionRule ?? '', /stability/, 'the demo model leaves the pick to the engine, and says so');
    } finally {
      await engine.close();
    }
  });

  it('marks a guess confident only when it clears the floor and beats the runner-up by the margin', () => {
    assert.equal(isLabelConfident([]), false);
    assert.equal(isLabelConfident([{ score: -0.03 }, { score: -0.03 }, { score: -0.031 }]), false, 'a tie (person, helmet, cup on a cat)');
    assert.equal(isLabelConfident([{ score: 0.5 }, { score: 0.47 }]), false, 'does not stand out');
    assert.equal(isLabelConfident([{ score: 0.15 }, { score: 0.0 }]), false, 'below the floor');
    assert.equal(isLabelConfident([{ score: 0.5 }, { score: 0.4 }]), true);
    assert.equal(isLabelConfident([{ score: 0.6 }]), true, 'one label, above the floor');
  });
});
