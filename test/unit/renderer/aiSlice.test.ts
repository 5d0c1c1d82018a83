// The AI slice against a scripted bridge: the test plays the main process and
// answers each request by hand, so the order of requests and answers (the
// point of latest-wins and the memory prompt) is exact.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';
import type {
  Bridge,
  CandidateSet,
  ChannelName,
  DocOp,
  EngineStatus,
  ImageRecord,
  Label,
  MaskCandidate,
  MaterializedMask,
  ModelInfo,
  Result,
} from '../../../common/contract/index.js';
import { maskToRle } from '../../../common/geometry/rle.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';

interface Invocation {
  channel: ChannelName;
  request: unknown;
  answer: (value: unknown) => void;
  fail: (message: string) => void;
}

const invocations: Invocation[] = [];
const listeners = new Map<string, (payload: never) => void>();
const bridge: Bridge = {
  invoke: (channel, request) =>
    new Promise<Result<never>>((resolve) => {
      invocations.push({
        channel,
        request,
        answer: (value) => resolve({ ok: true, value: value as never }),
        fail: (message) => resolve({ ok: false, error: { code: 'bad_request', message } }),
      });
    }),
  on: (event, listener) => {
    listeners.set(event, listener as (payload: never) => void);
    return () => listeners.delete(event);
  },
  imageUrl: () => '',
};

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
const pending = (channel: ChannelName) => invocations.filter((i) => i.channel === channel);
/** Answers the oldest unanswered request on the channel. */
async function answer(channel: ChannelName, value: unknown): Promise<Invocation> {
  await settle();
  const index = invocations.findIndex((i) => i.channel === channel);
  assert.ok(index >= 0, `no ${channel} request is waiting (waiting: ${invocations.map((i) => i.channel).join(', ') || 'none'})`);
  const [invocation] = invocations.splice(index, 1);
  invocation!.answer(value);
  await settle();
  return invocation!;
}

const MODEL: ModelInfo = {
  id: 'tiny',
  displayName: 'Tiny',
  kind: 'segmenter',
  note: null,
  source: 'builtin',
  dir: '/m',
  license: 'Apache-2.0',
  problem: null,
  capabilities: { points: true, box: true, scribble: true, text: false, reference: true, labels: true, wand: false, regions: false, everything: true },
};
const STATUS: EngineStatus = {
  settings: { executionProvider: 'auto', cacheLimitMB: 512, prefetchCount: 2, modelId: 'tiny' },
  availableProviders: ['auto', 'cpu'],
  activeProvider: 'cpu',
  note: null,
  worker: 'ready',
  modelId: 'tiny',
  cache: { entries: 0, bytes: 0, limitBytes: 512 * 1_048_576 },
  encoding: null,
};
const LABELS: Label[] = [
  { id: 'red', name: 'red circle', colour: '#ff0000', hotkey: '1' },
  { id: 'blue', name: 'blue square', colour: '#0000ff', hotkey: '2' },
];
const IMAGE: ImageRecord = { id: 7, relPath: 'a.jpg', width: 100, height: 80, status: 'in_progress', annotationCount: 0 } as ImageRecord;

function maskCandidate(index: number, score: number, box: { x: number; y: number; w: number; h: number }, guesses: string[] = []): MaskCandidate {
  const data = new Uint8Array(box.w * box.h).fill(1);
  return {
    index,
    score,
    stability: 0.9,
    box,
    area: box.w * box.h,
    crop: { rle: maskToRle(data, box.h, box.w), scale: 1 },
    labels: guesses.map((labelId, rank) => ({ labelId, name: labelId, score: 0.9 - rank / 10 })),
  };
}
let setCount = 0;
function candidateSet(candidates: MaskCandidate[], best = 0, imageId = IMAGE.id): CandidateSet {
  return { id: `set-${++setCount}`, imageId, modelId: 'tiny', candidates, best, timing: { featureSource: 'memory', encodeMs: 0, decodeMs: 3, totalMs: 4 } };
}
const MATERIALIZED: MaterializedMask = {
  rle: maskToRle(new Uint8Array(100 * 80).fill(1), 80, 100),
  polygons: [{ outer: [0, 0, 100, 0, 100, 80, 0, 80], holes: [] }],
  box: { x: 0, y: 0, w: 100, h: 80 },
  area: 8000,
  score: 1.02,
  modelId: 'tiny',
};

describe('AI slice', () => {
  let store: typeof UseAppStore;

  before(async () => {
    // Toasts dismiss themselves after seconds; those timers must not hold the test open.
    mock.timers.enable({ apis: ['setTimeout'] });
    Object.assign(globalThis, { window: { promptlabel: bridge } });
    ({ useAppStore: store } = await import('../../../renderer/src/store/appStore.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(async () => {
    store.getState().discardAi();
    await settle();
    invocations.length = 0;
    store.setState({
      aiModels: [MODEL],
      aiStatus: STATUS,
      labels: LABELS,
      activeLabelId: 'blue',
      currentImage: IMAGE,
      documentImageId: IMAGE.id,
      annotations: [],
      toasts: [],
      aiLabelPicked: false,
    });
  });

  const s = () => store.getState();
  const segmentRequests = () => pending('ai.segment').map((i) => i.request as { prompts: { clicks: unknown[] }; previous?: unknown });

  it('sends every prompt with the selected candidate as the memory prompt, and preselects the best label', async () => {
    s().addAiClick({ x: 10, y: 10, positive: true });
    const [first] = segmentRequests();
    assert.deepEqual(first, { imageId: 7, modelId: 'tiny', prompts: { clicks: [{ x: 10, y: 10, positive: true }], scribbles: [] } });
    const a = candidateSet([maskCandidate(0, 0.6, { x: 0, y: 0, w: 20, h: 20 }, ['blue']), maskCandidate(1, 0.9, { x: 0, y: 0, w: 30, h: 30 }, ['red', 'blue'])], 1);
    await answer('ai.segment', a);
    assert.equal(s().aiCandidates?.id, a.id);
    assert.equal(s().aiSelected, 1);
    assert.equal(s().aiLabelId, 'red', 'the best guess of the best candidate');

    s().cycleAiCandidate(1);
    assert.equal(s().aiSelected, 0);
    assert.equal(s().aiLabelId, 'blue', 'cycling follows the shown candidate’s guess');
    s().addAiClick({ x: 40, y: 40, positive: false });
    const [second] = segmentRequests();
    assert.deepEqual(second!.prompts.clicks, [{ x: 10, y: 10, positive: true }, { x: 40, y: 40, positive: false }]);
    assert.deepEqual(second!.previous, { candidateSetId: a.id, index: 0 }, 'the candidate on screen is refined');
  });

  it('keeps one request in flight: clicks made meanwhile go out together once the answer is in', async () => {
    const marksBefore = performance.getEntriesByName('ai:prompt-sent').length;
    s().addAiClick({ x: 10, y: 10, positive: true });
    s().addAiClick({ x: 20, y: 10, positive: true });
    s().addAiClick({ x: 30, y: 10, positive: false });
    await settle();
    assert.equal(pending('ai.segment').length, 1);
    assert.equal(s().aiPending, true);
    const a = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]);
    await answer('ai.segment', a);
    const [next] = segmentRequests();
    assert.equal(next!.prompts.clicks.length, 3);
    assert.deepEqual(next!.previous, { candidateSetId: a.id, index: 0 });
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.85, { x: 0, y: 0, w: 25, h: 20 })]));
    assert.equal(s().aiPending, false);
    assert.equal(performance.getEntriesByName('ai:prompt-sent').length - marksBefore, 2, 'one mark per request sent');
  });

  it('ignores answers to prompts that were discarded or belong to another image, and shows errors as toasts', async () => {
    s().addAiClick({ x: 10, y: 10, positive: true });
    s().discardAi();
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]));
    assert.equal(s().aiCandidates, null);

    s().addAiClick({ x: 10, y: 10, positive: true });
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })], 0, 99));
    assert.equal(s().aiCandidates, null, 'an answer for image 99 is not shown on image 7');

    s().addAiClick({ x: 500, y: 10, positive: true });
    await settle();
    invocations.find((i) => i.channel === 'ai.segment')!.fail('point (500, 10) is outside the 100×80 image');
    await settle();
    assert.deepEqual(s().toasts.map((t) => [t.kind, t.message]), [['error', 'point (500, 10) is outside the 100×80 image']]);
  });

  it('refuses a prompt kind the model cannot take, with the reason', async () => {
    s().setAiText('red circle');
    await settle();
    assert.equal(pending('ai.segment').length, 0);
    assert.equal(s().aiPrompts.text, null);
    assert.deepEqual(s().toasts.map((t) => t.message), ['Tiny does not take text prompts.']);

    // A box the model cannot take is refused once, on release, not on every pointer move.
    store.setState({ aiModels: [{ ...MODEL, capabilities: { ...MODEL.capabilities, box: false } }], toasts: [] });
    s().dragAiBox([0, 0, 10, 10], false);
    s().dragAiBox([0, 0, 20, 20], false);
    s().dragAiBox([0, 0, 30, 30], true);
    await settle();
    assert.equal(pending('ai.segment').length, 0);
    assert.equal(s().aiPrompts.box, null);
    assert.deepEqual(s().toasts.map((t) => t.message), ['Tiny does not take boxes.']);
  });

  it('drags a box from the candidate before the drag, and Esc on the drag puts the old box back', async () => {
    s().addAiClick({ x: 10, y: 10, positive: true });
    const base = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]);
    await answer('ai.segment', base);
    s().dragAiBox([0, 0, 30, 30], false);
    s().dragAiBox([0, 0, 40, 40], false);
    s().dragAiBox([0, 0, 50, 50], false);
    await settle();
    assert.equal(pending('ai.segment').length, 1, 'the drag costs one request at a time');
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.7, { x: 0, y: 0, w: 30, h: 30 })]));
    const [latest] = pending('ai.segment').map((i) => i.request as { prompts: { box: number[] }; previous: unknown });
    assert.deepEqual(latest!.prompts.box, [0, 0, 50, 50], 'the newest box, the ones in between were never sent');
    assert.deepEqual(latest!.previous, { candidateSetId: base.id, index: 0 }, 'not the answer for a half-dragged box');
    s().cancelAiBoxDrag();
    assert.equal(s().aiPrompts.box, null);
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.7, { x: 0, y: 0, w: 50, h: 50 })]));
    const [restored] = pending('ai.segment').map((i) => i.request as { prompts: { box?: number[] }; previous: unknown });
    assert.equal(restored!.prompts.box, undefined);
    assert.deepEqual(restored!.previous, { candidateSetId: base.id, index: 0 });
  });

  it('accepts the candidate as one undo step: mask with outline, model as source, score, chosen label', async () => {
    s().addAiClick({ x: 10, y: 10, positive: true });
    const a = candidateSet([maskCandidate(3, 0.95, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]);
    await answer('ai.segment', a);
    assert.equal(s().chooseAiLabelByHotkey('2'), true);
    assert.equal(s().aiLabelId, 'blue');
    void s().acceptAiCandidate();
    const materialize = await answer('ai.materialize', MATERIALIZED);
    assert.deepEqual(materialize.request, { candidateSetId: a.id, index: 3 });
    const apply = await answer('document.apply', { inverse: [] });
    const ops = (apply.request as { ops: DocOp[] }).ops;
    assert.equal(ops.length, 1);
    const op = ops[0]!;
    assert.equal(op.type, 'annotation.put');
    if (op.type !== 'annotation.put') return;
    assert.deepEqual(op.annotation.geometry, { kind: 'mask', rle: MATERIALIZED.rle, outline: MATERIALIZED.polygons });
    assert.equal(op.annotation.source, 'tiny');
    assert.equal(op.annotation.score, 1, 'predicted IoU above 1 is clamped');
    assert.equal(op.annotation.labelId, 'blue');
    assert.equal(op.annotation.imageId, 7);
    assert.deepEqual(s().selection, [op.annotation.id]);
    assert.equal(s().annotations.length, 1);
    assert.equal(s().aiCandidates, null);
    assert.equal(s().aiPrompts.clicks.length, 0);
    await settle();
    assert.equal(s().canUndo, true);
  });

  it('a label picked by hand survives refinement; the model’s guess does not override it', async () => {
    s().addAiClick({ x: 10, y: 10, positive: true });
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]));
    s().chooseAiLabel('blue');
    s().addAiClick({ x: 12, y: 12, positive: true });
    await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]));
    assert.equal(s().aiLabelId, 'blue');
  });

  it('segment everything: a click on a proposal accepts it; Accept all is one commit', async () => {
    void s().segmentEverything();
    assert.equal(s().aiEverythingRunning, true);
    const proposals = candidateSet([
      maskCandidate(0, 0.9, { x: 0, y: 0, w: 100, h: 80 }, ['blue']),
      maskCandidate(1, 0.9, { x: 10, y: 10, w: 10, h: 10 }, ['red']),
      maskCandidate(2, 0.8, { x: 50, y: 50, w: 10, h: 10 }),
    ]);
    await answer('ai.everything', proposals);
    assert.equal(s().aiCandidateMode, 'everything');
    assert.equal(s().aiEverythingRunning, false);
    // Inside the large region AND the small object: the object is meant.
    s().addAiClick({ x: 15, y: 15, positive: true });
    const materialize = await answer('ai.materialize', MATERIALIZED);
    assert.deepEqual(materialize.request, { candidateSetId: proposals.id, index: 1 });
    const first = await answer('document.apply', { inverse: [] });
    const firstOps = (first.request as { ops: DocOp[] }).ops;
    assert.equal(firstOps[0]?.type === 'annotation.put' && firstOps[0].annotation.labelId, 'red', 'its own best guess');
    assert.deepEqual(s().aiCandidates?.candidates.map((c) => c.index), [0, 2], 'the accepted proposal leaves the list');

    void s().acceptAllAiCandidates();
    await answer('ai.materialize', MATERIALIZED);
    await answer('ai.materialize', MATERIALIZED);
    const all = await answer('document.apply', { inverse: [] });
    const ops = (all.request as { ops: DocOp[] }).ops;
    assert.deepEqual(
      ops.map((op) => (op.type === 'annotation.put' ? op.annotation.labelId : null)),
      ['blue', 'blue'],
      'a proposal without a guess gets the active label',
    );
    assert.equal(s().aiCandidates, null);
  });

  it('feature marks: events of the current model and focus answers land in the map', async () => {
    s().forgetFeatureStates();
    s().applyAiFeatures({ imageId: 3, modelId: 'tiny', state: 'encoding', message: null });
    s().applyAiFeatures({ imageId: 4, modelId: 'other', state: 'ready', message: null });
    assert.deepEqual([...s().aiFeatureStates], [[3, 'encoding']]);
    s().focusAi(7, [8, 9]);
    const focus = await answer('ai.focus', { 7: 'ready', 8: 'queued', 9: 'queued' });
    assert.deepEqual(focus.request, { imageId: 7, upcoming: [8, 9] });
    assert.equal(s().aiFeatureStates.get(7), 'ready');
    s().loadFeatureStates([3, 7, 10, 11]);
    const asked = await answer('ai.featureStates', { 10: 'ready' });
    assert.deepEqual(asked.request, { imageIds: [10, 11] }, 'only images not known yet');
    s().loadFeatureStates([10, 11]);
    await settle();
    assert.equal(pending('ai.featureStates').length, 0, 'each image is asked about once');
  });
});
