import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptSetSchema, type CandidateSet, type Label, type MaskCandidate, type PromptCapabilities } from '../../../common/contract/index.js';
import {
  EMPTY_PROMPTS,
  bestPosition,
  candidateInfo,
  capabilityProblem,
  clampScore,
  cornersOf,
  cyclePosition,
  hasPrompts,
  mergeFeatureStates,
  preselectedLabel,
  promptKinds,
  toPromptSet,
} from '../../../renderer/src/store/aiPrompts.js';

const label = (id: string, name: string): Label => ({ id, name, colour: '#ff0000', hotkey: null });
const candidate = (index: number, score: number, guesses: [string, number][] = []): MaskCandidate => ({
  index,
  score,
  stability: 0.9,
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
});

test('prompt set: empty prompts send nothing; every kind present is sent and passes the contract schema', () => {
  assert.equal(hasPrompts(EMPTY_PROMPTS), false);
  assert.equal(toPromptSet(EMPTY_PROMPTS), null);
  const prompts = {
    clicks: [{ x: 1, y: 2, positive: true }, { x: 3, y: 4, positive: false }],
    box: [0, 0, 10, 10] as [number, number, number, number],
    scribbles: [{ points: [[1, 1], [2, 2]] as [number, number][], positive: true }],
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
  const caps: PromptCapabilities = { points: true, box: true, scribble: false, text: false, reference: true, labels: false, wand: false, regions: false, everything: true };
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
  assert.equal(preselectedLabel(candidate(0, 0.9, [['red', 0.8], ['blue', 0.5]]), labels, 'blue'), 'red');
  assert.equal(preselectedLabel(candidate(0, 0.9, [['gone', 0.9], ['blue', 0.5]]), labels, null), 'blue', 'a deleted label is skipped');
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
  assert.deepEqual([...first], [[3, 'encoding'], [4, 'queued']]);
  assert.equal(mergeFeatureStates(first, { 3: 'encoding' }), first);
  const second = mergeFeatureStates(first, [[3, 'ready']]);
  assert.equal(second.get(3), 'ready');
  assert.equal(first.get(3), 'encoding', 'the old map is not mutated');
});
