import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  type CandidateSet,
  type Label,
  type MaskCandidate,
  type PromptCapabilities,
  promptSetSchema,
  segmentRequestSchema,
} from '../../../common/contract/index.js';
import {
  bestPosition,
  candidateInfo,
  capabilityProblem,
  clampScore,
  clampTolerance,
  cyclePosition,
  EMPTY_PROMPTS,
  everythingActionName,
  hasPrompts,
  mergeFeatureStates,
  preselectedLabel,
  type PromptDraft,
  promptKinds,
  regionCount,
  segmentPayload,
  toPromptSet,
} from '../../../renderer/src/ai/aiPrompts.js';
import { cornersOf } from '../../../renderer/src/lib/corners.js';

const label = (id: string, name: string): Label => ({ id, name, colour: '#ff0000', hotkey: null });
const candidate = (index: number, score: number, guesses: [string, number][] = []): MaskCandidate => ({
  index,
  score,
  stability: 0.9,
  note: null,
  box: { x: 0, y: 0, w: 1, h: 1 },
  area: 1,
  crop: { rle: { size: [1, 1], counts: '01' }, scale: 1 },
  labels: guesses.map(([labelId, s]) => ({ labelId, name: labelId, score: s })),
});
const candidateSet = (candidates: MaskCandidate[], best: number): CandidateSet => ({
  id: 's1',
  imageId: 1,
  modelId: 'm',
  candidates,
  best,
  timing: { featureSource: 'memory', encodeMs: 0, decodeMs: 1, totalMs: 1 },
  scoreKind: 'predicted-iou',
});

test('prompt set: empty prompts send nothing; every kind present is sent and passes the contract schema', () => {
  assert.equal(hasPrompts(EMPTY_PROMPTS), false);
  assert.equal(toPromptSet(EMPTY_PROMPTS), null);
  const prompts = {
    clicks: [
      { x: 1, y: 2, positive: true },
      { x: 3, y: 4, positive: false },
    ],
    box: [0, 0, 10, 10] as [number, number, number, number],
    scribbles: [
      {
        points: [
          [1, 1],
          [2, 2],
        ] as [number, number][],
        positive: true,
      },
    ],
    text: 'red circle',
    reference: { imageId: 2, box: [5, 5, 20, 20] as [number, number, number, number] },
  };
  assert.deepEqual(promptKinds(prompts), ['points', 'box', 'scribble', 'text', 'reference']);
  const sent = toPromptSet(prompts)!;
  assert.deepEqual(promptSetSchema.parse(sent), sent);
  const textOnly = toPromptSet({ ...EMPTY_PROMPTS, text: 'sky' })!;
  assert.deepEqual(textOnly, { clicks: [], scribbles: [], text: 'sky' });
  assert.equal(promptSetSchema.safeParse(textOnly).success, true);
});

test('capabilities: a kind the model lacks is refused with the reason', () => {
  const caps: PromptCapabilities = {
    points: true,
    box: true,
    scribble: false,
    text: false,
    reference: true,
    labels: false,
    wand: false,
    regions: false,
    everything: true,
  };
  assert.equal(capabilityProblem('points', caps, 'SAM ViT-B'), null);
  assert.equal(capabilityProblem('text', caps, 'SAM ViT-B'), 'SAM ViT-B does not take text prompts.');
  assert.equal(capabilityProblem('scribble', caps, 'SAM ViT-B'), 'SAM ViT-B does not take scribbles.');
  assert.equal(capabilityProblem('box', undefined, 'x'), 'No AI model is loaded.');
});

test('corners: normalised and clamped to the image', () => {
  assert.deepEqual(cornersOf(50, 40, 10, 80, 100, 60), [10, 40, 50, 60]);
  assert.deepEqual(cornersOf(-5, -5, 120, 30, 100, 60), [0, 0, 100, 30]);
});

test('labels: the best guess that still exists in the project, else the fallback', () => {
  const labels = [label('red', 'red circle'), label('blue', 'blue square')];
  assert.equal(
    preselectedLabel(
      candidate(0, 0.9, [
        ['red', 0.8],
        ['blue', 0.5],
      ]),
      labels,
      'blue',
    ),
    'red',
  );
  assert.equal(
    preselectedLabel(
      candidate(0, 0.9, [
        ['gone', 0.9],
        ['blue', 0.5],
      ]),
      labels,
      null,
    ),
    'blue',
    'a deleted label is skipped',
  );
  assert.equal(preselectedLabel(candidate(0, 0.9), labels, 'blue'), 'blue', 'no guesses: the active label');
  assert.equal(preselectedLabel(undefined, labels, null), null);
});

test('candidates: best position by index, cycling wraps both ways, the info line', () => {
  const set = candidateSet([candidate(2, 0.81), candidate(0, 0.912), candidate(1, 0.5)], 0);
  assert.equal(bestPosition(set), 1);
  assert.equal(bestPosition({ ...set, best: 7 }), 0, 'an unknown best falls back to the first');
  assert.equal(cyclePosition(2, 3, 1), 0);
  assert.equal(cyclePosition(0, 3, -1), 2);
  assert.equal(cyclePosition(0, 0, 1), 0);
  assert.equal(candidateInfo(set, 1), '2/3 · IoU 0.91');
  // The foreground model's score is its confidence, not an IoU estimate; classical masks have none.
  assert.equal(candidateInfo({ ...set, scoreKind: 'confidence' }, 1), '2/3 · conf. 0.91');
  assert.equal(candidateInfo({ ...set, scoreKind: null }, 1), '2/3');
  assert.equal(candidateInfo(null, 0), '');
});

test('scores: clamped into [0, 1] for the annotation', () => {
  assert.equal(clampScore(1.03), 1);
  assert.equal(clampScore(-0.2), 0);
  assert.equal(clampScore(0.42), 0.42);
  assert.equal(clampScore(Number.NaN), 0);
});

test('feature marks: merging keeps the same map when nothing changed', () => {
  const empty: ReadonlyMap<number, string> = new Map();
  const first = mergeFeatureStates(empty, { 3: 'encoding', 4: 'queued' });
  assert.notEqual(first, empty);
  assert.deepEqual(
    [...first],
    [
      [3, 'encoding'],
      [4, 'queued'],
    ],
  );
  assert.equal(mergeFeatureStates(first, { 3: 'encoding' }), first);
  const second = mergeFeatureStates(first, [[3, 'ready']]);
  assert.equal(second.get(3), 'ready');
  assert.equal(first.get(3), 'encoding', 'the old map is not mutated');
});

const CLASSICAL_CAPS: PromptCapabilities = {
  points: true,
  box: true,
  scribble: true,
  text: false,
  reference: false,
  labels: false,
  wand: true,
  regions: true,
  everything: false,
};
const FOREGROUND_CAPS: PromptCapabilities = {
  points: true,
  box: true,
  scribble: false,
  text: false,
  reference: false,
  labels: false,
  wand: false,
  regions: false,
  everything: true,
};
const SEGMENTER_CAPS: PromptCapabilities = {
  points: true,
  box: true,
  scribble: true,
  text: true,
  reference: true,
  labels: true,
  wand: false,
  regions: false,
  everything: true,
};

test('capabilities: the wand, regions and segment everything are greyed out per provider, each with its own reason', () => {
  const kinds = ['points', 'box', 'scribble', 'text', 'reference', 'wand', 'regions', 'everything'] as const;
  const available = (caps: PromptCapabilities) => kinds.filter((k) => capabilityProblem(k, caps, 'P') === null);
  assert.deepEqual(available(CLASSICAL_CAPS), ['points', 'box', 'scribble', 'wand', 'regions']);
  assert.deepEqual(available(FOREGROUND_CAPS), ['points', 'box', 'everything']);
  assert.deepEqual(available(SEGMENTER_CAPS), ['points', 'box', 'scribble', 'text', 'reference', 'everything']);
  assert.equal(capabilityProblem('text', CLASSICAL_CAPS, 'Classical'), 'Classical does not take text prompts.');
  assert.equal(capabilityProblem('reference', CLASSICAL_CAPS, 'Classical'), 'Classical does not take reference regions.');
  assert.equal(
    capabilityProblem('everything', CLASSICAL_CAPS, 'Classical'),
    'Classical proposes nothing without a prompt (no "segment everything").',
  );
  assert.equal(capabilityProblem('wand', SEGMENTER_CAPS, 'Tiny'), 'Tiny has no magic wand (flood fill by colour).');
  assert.equal(capabilityProblem('regions', FOREGROUND_CAPS, 'ISNet'), 'ISNet does not split an image by scribbles in several regions.');
  assert.equal(capabilityProblem('wand', undefined, 'x'), 'No AI model is loaded.');
});

test('segment everything is called "Foreground of whole image" for a foreground model', () => {
  assert.equal(everythingActionName('foreground'), 'Foreground of whole image');
  assert.equal(everythingActionName('segmenter'), 'Segment everything');
  assert.equal(everythingActionName(undefined), 'Segment everything');
});

const draft = (p: Partial<PromptDraft>): PromptDraft => ({ ...EMPTY_PROMPTS, ...p });

test('scribble regions travel in the prompt set and count once each', () => {
  const scribbles = [
    {
      points: [
        [1, 1],
        [2, 2],
      ] as [number, number][],
      positive: true,
      region: 0,
    },
    { points: [[5, 5]] as [number, number][], positive: true, region: 2 },
    { points: [[6, 6]] as [number, number][], positive: false, region: 2 },
    { points: [[7, 7]] as [number, number][], positive: true },
  ];
  const sent = toPromptSet(draft({ scribbles }))!;
  assert.deepEqual(
    sent.scribbles!.map((s) => s.region),
    [0, 2, 2, undefined],
  );
  assert.equal('region' in sent.scribbles![3]!, false, 'no region key when the scribble has none');
  assert.deepEqual(
    promptSetSchema.parse(sent).scribbles.map((s) => s.region),
    [0, 2, 2, undefined],
  );
  assert.equal(regionCount(scribbles), 2, 'a scribble without a region is region 0');
  assert.equal(regionCount([]), 0);
});

test('segment payload: plain prompts as they are; the wand sends clicks as seeds, the tolerance, and the box as its bounds', () => {
  const prompts = draft({
    clicks: [{ x: 10, y: 12, positive: true }],
    box: [0, 0, 50, 40],
    scribbles: [{ points: [[3, 3]], positive: true }],
  });
  assert.deepEqual(segmentPayload(prompts, null), { prompts: toPromptSet(prompts) });
  assert.equal(segmentPayload(EMPTY_PROMPTS, null), null);

  const wand = segmentPayload(prompts, { tolerance: 30 })!;
  assert.deepEqual(wand, {
    prompts: { clicks: [{ x: 10, y: 12, positive: true }], scribbles: [] },
    options: { tolerance: 30, within: [0, 0, 50, 40] },
  });
  const request = { imageId: 1, ...wand };
  assert.deepEqual(segmentRequestSchema.parse(request).options, wand.options, 'the contract takes it');
  assert.deepEqual(
    segmentPayload(draft({ clicks: prompts.clicks }), { tolerance: 0 })?.options,
    { tolerance: 0 },
    'no box: the whole image',
  );
  // Nothing to fill from yet: a box alone, or only a cut-out click.
  assert.equal(segmentPayload(draft({ box: [0, 0, 5, 5] }), { tolerance: 24 }), null);
  assert.equal(segmentPayload(draft({ clicks: [{ x: 1, y: 1, positive: false }] }), { tolerance: 24 }), null);
});

test('tolerance from the slider: an integer in 0..100', () => {
  assert.equal(clampTolerance(33.6), 34);
  assert.equal(clampTolerance(-4), 0);
  assert.equal(clampTolerance(250), 100);
  assert.equal(clampTolerance(Number.NaN), 24);
});
