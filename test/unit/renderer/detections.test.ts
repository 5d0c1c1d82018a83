// The detector's answer as candidates (ai/detections.ts), the mapping
// dialog's choices (panels/labelMapChoices.ts), and the honest preselection
// of a label guess (aiPrompts.preselectedLabel with labelConfident). Pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ModelInfo } from '../../../common/contract/index.js';
import { rleToMask } from '../../../common/geometry/rle.js';
import { preselectedLabel } from '../../../renderer/src/ai/aiPrompts.js';
import {
  chainableModels,
  detectionBoxAnnotation,
  detectionCandidate,
  detectionCandidates,
  labelForClass,
  remapDetections,
} from '../../../renderer/src/ai/detections.js';
import { labelMapChanges } from '../../../renderer/src/panels/labelMapChoices.js';
import { detection, detectionSet, LABELS, maskCandidate, MODEL } from './aiFixtures.js';

describe('detections as candidates', () => {
  it('a box-only detection is its filled box; a masked one keeps its mask; scores are the detector confidence', () => {
    const boxOnly = detectionCandidate(detection(0, 'cat', 0.8, [10.4, 20.6, 30.2, 25.1]));
    assert.deepEqual(boxOnly.box, { x: 10, y: 20, w: 21, h: 6 });
    assert.deepEqual(boxOnly.crop.rle.size, [6, 21]);
    assert.ok(
      rleToMask(boxOnly.crop.rle).every((v) => v === 1),
      'the whole box is filled',
    );
    assert.equal(boxOnly.note, 'cat');
    const masked = detectionCandidate(detection(1, 'cup', 0.6, [1, 2, 5, 5], true));
    assert.deepEqual(masked.box, { x: 1, y: 2, w: 4, h: 3 });
    const set = detectionCandidates(detectionSet([detection(0, 'cat', 0.8, [0, 0, 4, 4]), detection(1, 'cup', 0.6, [0, 0, 2, 2])]));
    assert.equal(set.scoreKind, 'confidence');
    assert.equal(set.selectionRule, 'best score first');
    assert.deepEqual(
      set.candidates.map((c) => c.score),
      [0.8, 0.6],
    );
  });

  it('class names land on labels by the map first, then by name (case-insensitive); remapping updates unmappedClasses', () => {
    assert.deepEqual(labelForClass('Red Circle', LABELS, {}), { labelId: 'red', name: 'red circle', via: 'name' });
    assert.deepEqual(labelForClass('cat', LABELS, { cat: 'blue square' }), { labelId: 'blue', name: 'blue square', via: 'labelMap' });
    assert.equal(labelForClass('cat', LABELS, { cat: 'no such label' }), null);
    const set = detectionSet([detection(0, 'cat', 0.8, [0, 0, 4, 4]), detection(1, 'cup', 0.6, [0, 0, 2, 2])]);
    assert.deepEqual(set.unmappedClasses, ['cat', 'cup']);
    const remapped = remapDetections(set, LABELS, { cat: 'blue square' });
    assert.equal(remapped.detections[0]!.label?.labelId, 'blue');
    assert.deepEqual(remapped.unmappedClasses, ['cup']);
    const candidate = detectionCandidate(remapped.detections[0]!);
    assert.equal(candidate.labelConfident, true);
    assert.equal(preselectedLabel(candidate, LABELS, 'red'), 'blue');
    assert.equal(
      preselectedLabel(detectionCandidate(remapped.detections[1]!), LABELS, 'red'),
      'red',
      'an unmapped class takes the active label',
    );
  });

  it('a box-only detection accepted is a box annotation with the detector as source and its score', () => {
    const d = detection(0, 'cat', 0.83, [10, 20, 30, 25]);
    const a = detectionBoxAnnotation(d, { imageId: 7, modelId: 'yolo' }, 'blue', LABELS);
    assert.deepEqual(a.geometry, { kind: 'box', box: { x: 10, y: 20, w: 20, h: 5 } });
    assert.equal(a.source, 'yolo');
    assert.equal(a.score, 0.83);
    assert.equal(a.labelId, 'blue');
    assert.equal(detectionBoxAnnotation(d, { imageId: 7, modelId: 'yolo' }, 'gone', LABELS).labelId, null);
  });

  it('only SAM-family models are offered to chain: boxes, no text / reference / label heads, never the demo model', () => {
    const sam: ModelInfo = {
      ...MODEL,
      id: 'sam',
      source: 'user',
      capabilities: { ...MODEL.capabilities, reference: false, labels: false, text: false },
    };
    const sam2: ModelInfo = { ...sam, id: 'sam2', kind: 'sam2' };
    const demo: ModelInfo = { ...sam, id: 'shapes-seem-tiny' };
    const broken: ModelInfo = { ...sam, id: 'broken', problem: 'missing decoder' };
    assert.deepEqual(
      chainableModels([MODEL, sam, sam2, demo, broken]).map((m) => m.id),
      ['sam', 'sam2'],
    );
  });
});

describe('honest label guesses', () => {
  it('a guess that does not stand out is not preselected over the active label', () => {
    const tied = { ...maskCandidate(0, 0.9, { x: 0, y: 0, w: 2, h: 2 }, ['red']), labelConfident: false };
    assert.equal(preselectedLabel(tied, LABELS, 'blue'), 'blue');
    assert.equal(preselectedLabel({ ...tied, labelConfident: true }, LABELS, 'blue'), 'red');
    assert.equal(
      preselectedLabel(maskCandidate(0, 0.9, { x: 0, y: 0, w: 2, h: 2 }, ['red']), LABELS, 'blue'),
      'red',
      'a provider that does not say is trusted',
    );
  });
});

describe('the class-name mapping dialog', () => {
  it('maps onto existing labels by their spelling, creates new labels once, and skips "no label"', () => {
    const { created, map } = labelMapChanges(
      {
        cat: { kind: 'label', name: 'blue square' },
        dog: { kind: 'new', name: ' pet ' },
        puppy: { kind: 'new', name: 'Pet' },
        cup: { kind: 'none' },
        person: { kind: 'new', name: 'RED CIRCLE' },
      },
      LABELS,
    );
    assert.deepEqual(
      created.map((l) => l.name),
      ['pet'],
    );
    assert.notEqual(created[0]!.hotkey, '1');
    assert.deepEqual(map, { cat: 'blue square', dog: 'pet', puppy: 'pet', person: 'red circle' });
  });
});
