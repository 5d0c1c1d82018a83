// The AI session state machine on its own: a scripted host plays the engine
// and the document (each request waits until the test answers it), so the
// order of requests and answers (the point of latest-wins and the memory
// prompt) and every transition between idle, prompting, candidates,
// accepting and everything are exact. Plain TypeScript: no store, no DOM.
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';

import type { Annotation, ErrorCode, Label, ModelInfo } from '../../../common/contract/index.js';
import { AiSession } from '../../../renderer/src/ai/session/aiSession.js';
import type { AiSessionHost, AiSessionView, SessionStateName } from '../../../renderer/src/ai/session/sessionTypes.js';
import {
  candidateSet,
  CLASSICAL,
  detection,
  detectionSet,
  IMAGE,
  LABELS,
  maskCandidate,
  MATERIALIZED,
  MODEL,
  Script,
  settle,
} from './aiFixtures.js';

class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the host reads, and what the session did to the app. */
interface World {
  imageId: number | null;
  model: ModelInfo | undefined;
  labels: Label[];
  activeLabelId: string | null;
  toasts: [string, string][];
  commits: Annotation[][];
  selection: string[];
}

/** The app around one session. */
function harness() {
  const script = new Script();
  const world: World = { imageId: IMAGE.id, model: MODEL, labels: LABELS, activeLabelId: 'blue', toasts: [], commits: [], selection: [] };
  const call = <T>(channel: 'ai.segment' | 'ai.everything' | 'ai.detect' | 'ai.materialize', request: unknown) =>
    new Promise<T>((resolve, reject) =>
      script.push(
        channel,
        request,
        (value) => resolve(value as T),
        (message, code) => reject(new EngineError(code, message)),
      ),
    );
  const host: AiSessionHost = {
    imageId: () => world.imageId,
    model: () => world.model,
    modelId: () => world.model?.id,
    labels: () => world.labels,
    activeLabelId: () => world.activeLabelId,
    segment: (request) => call('ai.segment', request),
    everything: (request) => call('ai.everything', request),
    detect: (request) => call('ai.detect', request),
    materialize: (request) => call('ai.materialize', request),
    isCancelled: (error) => error instanceof EngineError && error.code === 'conflict' && error.message === 'cancelled',
    commit: (annotations) => void world.commits.push(annotations),
    select: (ids) => {
      world.selection = ids;
    },
    info: (message) => void world.toasts.push(['info', message]),
    error: (error) => void world.toasts.push(['error', error instanceof Error ? error.message : String(error)]),
  };
  const published: AiSessionView[] = [];
  const session = new AiSession(host, (view) => published.push(view));
  const view = () => session.view();
  const state = (): SessionStateName => session.view().state;
  type SentRequest = {
    imageId: number;
    prompts: { clicks: unknown[]; box?: number[]; scribbles: { region?: number; positive: boolean }[] };
    options?: { tolerance?: number; within?: number[] };
    previous?: unknown;
  };
  const sent = () => script.pending('ai.segment').map((i) => i.request as SentRequest);
  const messages = () => world.toasts.map(([, message]) => message);
  return { script, world, session, view, state, sent, messages, published };
}

describe('AI session', () => {
  before(() => mock.timers.enable({ apis: ['setTimeout'] }));
  after(() => mock.timers.reset());

  describe('transitions', () => {
    it('idle → prompting → candidates; a prompt while one is in flight stays prompting; discard → idle', async () => {
      const { session, script, state, view, published, sent } = harness();
      assert.equal(state(), 'idle');
      session.addClick({ x: 10, y: 10, positive: true });
      assert.equal(state(), 'prompting');
      assert.equal(published.at(-1)?.state, 'prompting', 'every event publishes the view once it is done');
      session.addClick({ x: 20, y: 10, positive: true });
      assert.equal(state(), 'prompting');
      const first = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]);
      await script.answer('ai.segment', first);
      assert.equal(state(), 'prompting', 'the second click is sent when the first answer is in');
      assert.equal(view().candidates, null, 'an answer for one click of two is never shown (issue 11: "just the eyes")');
      assert.deepEqual(sent().at(-1)?.previous, { candidateSetId: first.id, index: 0 }, 'the second request refines the unshown answer');
      const second = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 25, h: 20 })]);
      await script.answer('ai.segment', second);
      assert.equal(state(), 'candidates');
      assert.equal(view().candidates?.id, second.id);
      session.discard();
      assert.equal(state(), 'idle');
      assert.equal(view().candidates, null);
      assert.equal(session.hasWork(), false);
    });

    it('prompting → idle when the request fails and nothing was shown; → candidates when an answer is on screen', async () => {
      const { session, script, state, messages } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.fail('ai.segment', 'the engine stopped');
      assert.equal(state(), 'idle');
      assert.deepEqual(messages(), ['the engine stopped']);
      assert.equal(session.hasWork(), true, 'the click stays, to be sent again');
      session.addClick({ x: 12, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]));
      session.addClick({ x: 14, y: 10, positive: true });
      await script.fail('ai.segment', 'the engine stopped again');
      assert.equal(state(), 'candidates');
    });

    it('removing every prompt drops the candidates: candidates → idle', async () => {
      const { session, script, state, view } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]));
      session.clearCanvasPrompts();
      assert.equal(state(), 'idle');
      assert.equal(view().candidates, null);
      assert.equal(script.pending('ai.segment').length, 0);
    });

    it('candidates → accepting → idle; Enter pressed while prompting waits for the answer and accepts it', async () => {
      const { session, script, state, world } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      const accepted = session.accept();
      assert.equal(state(), 'prompting');
      const set = candidateSet([maskCandidate(4, 0.9, { x: 0, y: 0, w: 20, h: 20 })]);
      await script.answer('ai.segment', set);
      assert.equal(state(), 'accepting');
      const materialize = await script.answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(materialize.request, { candidateSetId: set.id, index: 4 });
      await accepted;
      assert.equal(state(), 'idle');
      assert.equal(world.commits.length, 1);
    });

    it('accepting refuses a second accept; a failed accept goes back to the candidates', async () => {
      const { session, script, state, world, messages } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));
      void session.accept();
      await session.accept();
      await settle();
      assert.equal(script.pending('ai.materialize').length, 1, 'one accept at a time');
      await script.fail('ai.materialize', 'no such candidate set');
      assert.equal(state(), 'candidates');
      assert.deepEqual(messages(), ['no such candidate set']);
      assert.equal(world.commits.length, 0);
    });

    it('a prompt made while accepting moves the session on; the accept still lands, and leaves the new prompt alone', async () => {
      const { session, script, state, world, view } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));
      void session.accept();
      assert.equal(state(), 'accepting');
      session.addClick({ x: 60, y: 60, positive: true });
      assert.equal(state(), 'prompting');
      await script.answer('ai.materialize', MATERIALIZED);
      assert.equal(world.commits.length, 1, 'what was accepted is committed');
      assert.equal(state(), 'prompting');
      assert.equal(view().prompts.clicks.length, 2);
    });

    it('Esc while accepting drops the prompts at once; the accept still lands', async () => {
      const { session, script, state, world } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));
      void session.accept();
      session.discard();
      assert.equal(state(), 'idle');
      await script.answer('ai.materialize', MATERIALIZED);
      assert.equal(world.commits.length, 1);
      assert.equal(state(), 'idle');
    });

    it('everything → candidates (proposals); none found → idle; a prompt while running drops the run', async () => {
      const { session, script, state, view, messages } = harness();
      const running = session.segmentEverything();
      assert.equal(state(), 'everything');
      assert.equal(view().mode, 'everything', 'the panel reads proposals mode while they are made');
      assert.equal(session.hasWork(), true, 'Esc has something to stop');
      await script.answer('ai.everything', candidateSet([]));
      await running;
      assert.equal(state(), 'idle');
      assert.equal(view().mode, 'prompt');
      assert.deepEqual(messages(), ['No objects found in this image.']);

      void session.segmentEverything();
      session.addClick({ x: 10, y: 10, positive: true });
      assert.equal(state(), 'prompting');
      await script.answer('ai.everything', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 10, h: 10 })]));
      assert.equal(view().mode, 'prompt', 'the dropped run is not shown');
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 10, h: 10 })]));
      assert.equal(state(), 'candidates');
      assert.equal(view().mode, 'prompt');
    });

    it('a failed run says why and is idle again', async () => {
      const { session, script, state, messages } = harness();
      const running = session.segmentEverything();
      await script.fail('ai.everything', 'out of memory');
      await running;
      assert.equal(state(), 'idle');
      assert.deepEqual(messages(), ['out of memory']);
    });

    it('an image change (discard) drops answers in flight: a late answer is not shown', async () => {
      const { session, script, state, view, world } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      world.imageId = 8;
      session.discard();
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]));
      assert.equal(state(), 'idle');
      assert.equal(view().candidates, null);
    });
  });

  describe('prompting', () => {
    it('sends every prompt with the selected candidate as the memory prompt, and preselects the best label', async () => {
      const { session, script, sent, view } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      const [first] = sent();
      assert.deepEqual(first, { imageId: 7, modelId: 'tiny', prompts: { clicks: [{ x: 10, y: 10, positive: true }], scribbles: [] } });
      const a = candidateSet(
        [
          maskCandidate(0, 0.6, { x: 0, y: 0, w: 20, h: 20 }, ['blue']),
          maskCandidate(1, 0.9, { x: 0, y: 0, w: 30, h: 30 }, ['red', 'blue']),
        ],
        1,
      );
      await script.answer('ai.segment', a);
      assert.equal(view().candidates?.id, a.id);
      assert.equal(view().selected, 1);
      assert.equal(view().labelId, 'red', 'the best guess of the best candidate');

      session.cycle(1);
      assert.equal(view().selected, 0);
      assert.equal(view().labelId, 'blue', 'cycling follows the shown candidate’s guess');
      session.addClick({ x: 40, y: 40, positive: false });
      const [second] = sent();
      assert.deepEqual(second!.prompts.clicks, [
        { x: 10, y: 10, positive: true },
        { x: 40, y: 40, positive: false },
      ]);
      assert.deepEqual(second!.previous, { candidateSetId: a.id, index: 0 }, 'the candidate on screen is refined');
    });

    it('keeps one request in flight: clicks made meanwhile go out together once the answer is in', async () => {
      const { session, script, sent, state } = harness();
      const marksBefore = performance.getEntriesByName('ai:prompt-sent').length;
      session.addClick({ x: 10, y: 10, positive: true });
      session.addClick({ x: 20, y: 10, positive: true });
      session.addClick({ x: 30, y: 10, positive: false });
      await settle();
      assert.equal(script.pending('ai.segment').length, 1);
      assert.equal(state(), 'prompting');
      const a = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]);
      await script.answer('ai.segment', a);
      const [next] = sent();
      assert.equal(next!.prompts.clicks.length, 3);
      assert.deepEqual(next!.previous, { candidateSetId: a.id, index: 0 });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.85, { x: 0, y: 0, w: 25, h: 20 })]));
      assert.equal(state(), 'candidates');
      assert.equal(performance.getEntriesByName('ai:prompt-sent').length - marksBefore, 2, 'one mark per request sent');
    });

    it('ignores answers to prompts that were discarded or belong to another image, and shows errors as toasts', async () => {
      const { session, script, view, world } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      session.discard();
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]));
      assert.equal(view().candidates, null);

      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })], 0, 99));
      assert.equal(view().candidates, null, 'an answer for image 99 is not shown on image 7');

      session.addClick({ x: 500, y: 10, positive: true });
      await script.fail('ai.segment', 'point (500, 10) is outside the 100×80 image');
      assert.deepEqual(world.toasts, [['error', 'point (500, 10) is outside the 100×80 image']]);
    });

    it('refuses a prompt kind the model cannot take, with the reason', async () => {
      const { session, script, view, world, messages } = harness();
      session.setText('red circle');
      await settle();
      assert.equal(script.pending('ai.segment').length, 0);
      assert.equal(view().prompts.text, null);
      assert.deepEqual(messages(), ['Tiny does not take text prompts.']);

      // A box the model cannot take is refused once, on release, not on every pointer move.
      world.model = { ...MODEL, capabilities: { ...MODEL.capabilities, box: false } };
      world.toasts = [];
      session.dragBox([0, 0, 10, 10], false);
      session.dragBox([0, 0, 20, 20], false);
      session.dragBox([0, 0, 30, 30], true);
      await settle();
      assert.equal(script.pending('ai.segment').length, 0);
      assert.equal(view().prompts.box, null);
      assert.deepEqual(messages(), ['Tiny does not take boxes.']);
    });

    it('drags a box from the candidate before the drag, and Esc on the drag puts the old box back', async () => {
      const { session, script, view } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      const base = candidateSet([maskCandidate(0, 0.8, { x: 0, y: 0, w: 20, h: 20 })]);
      await script.answer('ai.segment', base);
      session.dragBox([0, 0, 30, 30], false);
      session.dragBox([0, 0, 40, 40], false);
      session.dragBox([0, 0, 50, 50], false);
      await settle();
      assert.equal(script.pending('ai.segment').length, 1, 'the drag costs one request at a time');
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.7, { x: 0, y: 0, w: 30, h: 30 })]));
      const [latest] = script.pending('ai.segment').map((i) => i.request as { prompts: { box: number[] }; previous: unknown });
      assert.deepEqual(latest!.prompts.box, [0, 0, 50, 50], 'the newest box, the ones in between were never sent');
      assert.deepEqual(latest!.previous, { candidateSetId: base.id, index: 0 }, 'not the answer for a half-dragged box');
      session.cancelBoxDrag();
      assert.equal(view().prompts.box, null);
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.7, { x: 0, y: 0, w: 50, h: 50 })]));
      const [restored] = script.pending('ai.segment').map((i) => i.request as { prompts: { box?: number[] }; previous: unknown });
      assert.equal(restored!.prompts.box, undefined);
      assert.deepEqual(restored!.previous, { candidateSetId: base.id, index: 0 });
    });

    it('a label picked by hand survives refinement; the model’s guess does not override it', async () => {
      const { session, script, view } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]));
      session.chooseLabel('blue');
      session.addClick({ x: 12, y: 12, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]));
      assert.equal(view().labelId, 'blue');
    });
  });

  describe('accepting', () => {
    it('accepts the candidate: mask with outline, model as source, score, chosen label, selected', async () => {
      const { session, script, view, world } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      const a = candidateSet([maskCandidate(3, 0.95, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]);
      await script.answer('ai.segment', a);
      assert.equal(session.chooseLabelByHotkey('2'), true);
      assert.equal(view().labelId, 'blue');
      assert.equal(session.chooseLabelByHotkey('5'), false, 'no label has that hotkey');
      void session.accept();
      const materialize = await script.answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(materialize.request, { candidateSetId: a.id, index: 3 });
      assert.equal(world.commits.length, 1, 'one undo step');
      assert.equal(world.commits[0]!.length, 1);
      const annotation = world.commits[0]![0]!;
      assert.deepEqual(annotation.geometry, { kind: 'mask', rle: MATERIALIZED.rle, outline: MATERIALIZED.polygons });
      assert.equal(annotation.source, 'tiny');
      assert.equal(annotation.score, 1, 'predicted IoU above 1 is clamped');
      assert.equal(annotation.labelId, 'blue');
      assert.equal(annotation.imageId, 7);
      assert.equal(annotation.revision, 0, 'a new annotation');
      assert.deepEqual(world.selection, [annotation.id]);
      assert.equal(view().candidates, null);
      assert.equal(view().prompts.clicks.length, 0);
    });

    it('an empty mask is not accepted, and a label deleted meanwhile is not kept', async () => {
      const { session, script, world, messages } = harness();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.95, { x: 0, y: 0, w: 20, h: 20 }, ['red'])]));
      void session.accept();
      await script.answer('ai.materialize', { ...MATERIALIZED, area: 0 });
      assert.deepEqual(messages(), ['The candidate mask is empty; nothing to accept.']);
      assert.equal(world.commits.length, 0);
      world.labels = [LABELS[1]!];
      void session.accept();
      await script.answer('ai.materialize', MATERIALIZED);
      assert.equal(world.commits[0]![0]!.labelId, null);
    });

    it('"cancelled" (ai.cancel) stops segment everything and reads as information, not an error', async () => {
      const { session, script, state, view, world } = harness();
      const running = session.segmentEverything();
      assert.equal(state(), 'everything');
      await script.fail('ai.everything', 'cancelled', 'conflict');
      await running;
      assert.equal(state(), 'idle');
      assert.equal(view().mode, 'prompt');
      assert.deepEqual(world.toasts, [['info', 'Cancelled.']]);
    });

    it('segment everything: a click on a proposal accepts it; Accept all is one commit', async () => {
      const { session, script, state, view, world } = harness();
      void session.segmentEverything();
      assert.equal(state(), 'everything');
      const proposals = candidateSet([
        maskCandidate(0, 0.9, { x: 0, y: 0, w: 100, h: 80 }, ['blue']),
        maskCandidate(1, 0.9, { x: 10, y: 10, w: 10, h: 10 }, ['red']),
        maskCandidate(2, 0.8, { x: 50, y: 50, w: 10, h: 10 }),
      ]);
      await script.answer('ai.everything', proposals);
      assert.equal(view().mode, 'everything');
      assert.equal(state(), 'candidates');
      // Inside the large region AND the small object: the object is meant.
      session.addClick({ x: 15, y: 15, positive: true });
      assert.equal(state(), 'accepting');
      const materialize = await script.answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(materialize.request, { candidateSetId: proposals.id, index: 1 });
      assert.equal(world.commits[0]![0]!.labelId, 'red', 'its own best guess');
      assert.deepEqual(
        view().candidates?.candidates.map((c) => c.index),
        [0, 2],
        'the accepted proposal leaves the list',
      );
      assert.equal(state(), 'candidates');

      void session.acceptAll();
      await script.answer('ai.materialize', MATERIALIZED);
      await script.answer('ai.materialize', MATERIALIZED);
      assert.equal(world.commits.length, 2);
      assert.deepEqual(
        world.commits[1]!.map((a) => a.labelId),
        ['blue', 'blue'],
        'a proposal without a guess gets the active label',
      );
      assert.equal(view().candidates, null);
      assert.equal(state(), 'idle');
    });
  });

  describe('providers with other capabilities', () => {
    const classical = () => {
      const h = harness();
      h.world.model = CLASSICAL;
      return h;
    };

    it('refuses text, reference and segment everything with the reason, and sends nothing', async () => {
      const { session, script, view, messages } = classical();
      session.setText('cat');
      session.setReference({ imageId: 3, box: [0, 0, 5, 5] });
      await session.segmentEverything();
      await settle();
      assert.equal(script.invocations.length, 0);
      assert.deepEqual(messages(), [
        'Classical does not take text prompts.',
        'Classical does not take reference regions.',
        'Classical proposes nothing without a prompt (no "segment everything").',
      ]);
      assert.equal(view().mode, 'prompt');
    });

    it('wand: a click sends its tolerance and the drawn box as bounds, without a memory prompt', async () => {
      const { session, script, sent, view, world } = classical();
      session.addClick({ x: 10, y: 10, positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));
      session.setWandMode(true);
      const [rerun] = sent();
      assert.deepEqual(rerun!.options, { tolerance: 24 }, 'turning the wand on redoes the clicks on screen as a fill');
      assert.equal(rerun!.previous, undefined, 'a fill does not refine the earlier mask');
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));

      session.clearCanvasPrompts();
      session.dragBox([5, 5, 60, 50], false);
      session.dragBox([5, 5, 60, 60], true);
      await settle();
      assert.equal(script.pending('ai.segment').length, 0, 'a box alone is only the bounds of a fill to come');
      assert.equal(session.view().state, 'idle', 'nothing in flight: the box waits for a seed');
      session.addClick({ x: 30, y: 30, positive: true });
      const [fill] = sent();
      assert.deepEqual(fill, {
        imageId: 7,
        modelId: 'opencv-classical',
        prompts: { clicks: [{ x: 30, y: 30, positive: true }], scribbles: [] },
        options: { tolerance: 24, within: [5, 5, 60, 60] },
      });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 5, y: 5, w: 30, h: 30 })]));
      session.addScribble({
        points: [
          [1, 1],
          [2, 2],
        ],
        positive: true,
      });
      assert.equal(view().prompts.scribbles.length, 0, 'no scribbles while the wand is on');
      assert.match(world.toasts.at(-1)![1], /magic wand fills from clicks/);
    });

    it('wand: moving the slider redoes the fill, throttled and latest-wins: the last position always runs', async () => {
      const { session, script, sent, view, state } = classical();
      session.setWandMode(true);
      session.setWandTolerance(10);
      await settle();
      assert.equal(script.pending('ai.segment').length, 0, 'no seed yet: nothing to redo');
      session.addClick({ x: 10, y: 10, positive: true });
      assert.equal(sent()[0]!.options!.tolerance, 10);
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 20, h: 20 })]));

      session.setWandTolerance(20); // runs at once
      await settle();
      assert.deepEqual(
        sent().map((r) => r.options!.tolerance),
        [20],
      );
      for (const t of [25, 30, 35.4, 40]) session.setWandTolerance(t); // within the throttle interval: folded
      await settle();
      assert.equal(script.pending('ai.segment').length, 1);
      mock.timers.tick(100); // the trailing run asks; the request in flight makes it wait for the answer
      await settle();
      assert.equal(script.pending('ai.segment').length, 1, 'still one request in flight');
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 22, h: 20 })]));
      assert.deepEqual(
        sent().map((r) => r.options!.tolerance),
        [40],
        'only the latest position follows',
      );
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 0, y: 0, w: 30, h: 20 })]));
      mock.timers.tick(100);
      await settle();
      assert.equal(script.pending('ai.segment').length, 0, 'nothing more once the slider rests');
      assert.equal(view().settings.wandTolerance, 40);
      assert.equal(state(), 'candidates');
    });

    it('wand is refused for a provider without one; a model without it turns it off', () => {
      const { session, view, world, messages } = classical();
      session.setWandMode(true);
      assert.equal(view().settings.wandMode, true);
      world.model = MODEL; // back to the segmenter
      session.providerChanged(MODEL);
      assert.equal(view().settings.wandMode, false);
      session.toggleWand();
      assert.equal(view().settings.wandMode, false);
      assert.deepEqual(messages(), ['Tiny has no magic wand (flood fill by colour).']);
    });

    it('regions: scribbles carry the chosen region; one candidate per region; Tab cycles; Accept all is one commit', async () => {
      const { session, script, sent, view, world } = classical();
      assert.equal(session.setRegion(1), true);
      assert.equal(session.setRegion(4), false, 'regions 0..3 only');
      session.showStroke({ points: [[1, 1]], positive: true });
      assert.equal(view().liveStroke?.region, 1, 'the stroke being drawn is shown in its region colour');
      session.addScribble({
        points: [
          [10, 10],
          [20, 20],
        ],
        positive: true,
      });
      const [one] = sent();
      assert.deepEqual(one!.prompts.scribbles, [
        {
          points: [
            [10, 10],
            [20, 20],
          ],
          positive: true,
          region: 1,
        },
      ]);
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0.9, { x: 10, y: 10, w: 10, h: 10 })]));
      assert.equal(view().mode, 'prompt', 'one region is an ordinary prompt');

      session.setRegion(3);
      session.addScribble({
        points: [
          [70, 60],
          [80, 70],
        ],
        positive: true,
      });
      assert.deepEqual(
        sent()[0]!.prompts.scribbles.map((x) => x.region),
        [1, 3],
      );
      const regions = candidateSet([
        maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 }),
        maskCandidate(1, 0, { x: 50, y: 40, w: 50, h: 40 }),
      ]);
      await script.answer('ai.segment', regions);
      assert.equal(view().mode, 'regions');
      assert.deepEqual(view().regions, [1, 3]);
      session.cycle(1);
      assert.equal(view().selected, 1);

      void session.acceptAll();
      const first = await script.answer('ai.materialize', MATERIALIZED);
      const second = await script.answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(
        [first.request, second.request],
        [
          { candidateSetId: regions.id, index: 0 },
          { candidateSetId: regions.id, index: 1 },
        ],
      );
      assert.equal(world.commits.length, 1);
      assert.equal(world.commits[0]!.length, 2, 'both regions in one document change');
      assert.equal(view().candidates, null);
      assert.equal(view().prompts.scribbles.length, 0);
      assert.equal(view().settings.region, 3, 'the region choice is a setting, not a prompt');
    });

    it('regions: Accept takes the selected region only and drops the prompts that made them', async () => {
      const { session, script, sent, view, world } = classical();
      session.addScribble({ points: [[10, 10]], positive: true });
      session.setRegion(1);
      session.addScribble({ points: [[70, 60]], positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 })]));
      const regions = candidateSet([
        maskCandidate(0, 0, { x: 0, y: 0, w: 40, h: 40 }),
        maskCandidate(1, 0, { x: 50, y: 40, w: 50, h: 40 }),
      ]);
      await script.answer('ai.segment', regions);
      assert.deepEqual(sent().length, 0);
      assert.equal(view().mode, 'regions');
      session.select(1);
      void session.accept();
      const materialize = await script.answer('ai.materialize', MATERIALIZED);
      assert.deepEqual(materialize.request, { candidateSetId: regions.id, index: 1 });
      assert.equal(world.commits.length, 1);
      assert.equal(world.commits[0]!.length, 1);
      assert.equal(view().candidates, null);
      assert.equal(view().prompts.scribbles.length, 0);
    });

    it('regions: an answer with fewer masks than regions is still accepted as region masks, without pairing them to regions', async () => {
      const { session, script, view } = classical();
      session.addScribble({ points: [[10, 10]], positive: true });
      session.setRegion(2);
      session.addScribble({ points: [[70, 60]], positive: true });
      await script.answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 0, y: 0, w: 40, h: 40 })]));
      await script.answer('ai.segment', candidateSet([maskCandidate(0, null, { x: 0, y: 0, w: 40, h: 40 })]));
      assert.equal(view().mode, 'regions');
      assert.deepEqual(view().regions, [], 'one mask for two regions: which region it is is unknown');
    });

    it('a provider without regions gets scribbles without a region, and refuses a region choice', () => {
      const { session, sent, world } = classical();
      world.model = MODEL;
      assert.equal(session.setRegion(2), false);
      session.addScribble({ points: [[10, 10]], positive: true });
      assert.deepEqual(sent()[0]!.prompts.scribbles, [{ points: [[10, 10]], positive: true }]);
    });
  });
});

describe('AI session: detections', () => {
  const YOLO: ModelInfo = {
    ...MODEL,
    id: 'yolo',
    displayName: 'YOLO',
    kind: 'detector',
    capabilities: {
      points: false,
      box: false,
      scribble: false,
      text: false,
      reference: false,
      labels: false,
      wand: false,
      regions: false,
      everything: false,
      detect: true,
    },
  };

  it('detecting → candidates in detections mode; a box-only detection is stored as its box, a masked one materialised; each leaves the list', async () => {
    const { session, script, world, state, view } = harness();
    world.model = YOLO;
    const running = session.detectObjects('sam');
    assert.equal(state(), 'detecting');
    assert.equal(view().mode, 'detections');
    assert.equal(session.hasWork(), true);
    assert.deepEqual(
      script.pending('ai.detect').map((i) => i.request),
      [{ imageId: IMAGE.id, modelId: 'yolo', chainModelId: 'sam' }],
    );
    const circle = {
      ...detection(0, 'red circle', 0.9, [1, 1, 9, 9], true),
      label: { labelId: 'red', name: 'red circle', via: 'name' as const },
    };
    const found = detectionSet([circle, detection(1, 'cat', 0.7, [10, 10, 20, 20])]);
    await script.answer('ai.detect', found);
    await running;
    assert.equal(state(), 'candidates');
    assert.equal(view().mode, 'detections');
    assert.equal(view().candidates?.candidates.length, 2);
    assert.deepEqual(view().detections?.unmappedClasses, ['cat']);
    assert.equal(view().labelId, 'red', 'the mapped class is preselected');

    // The unmapped cat is mapped onto "blue square": relabelled without another detect.
    session.select(1);
    assert.equal(view().labelId, 'blue', 'unmapped: the active label');
    world.activeLabelId = 'red';
    session.applyLabelMap({ cat: 'blue square' });
    assert.deepEqual(view().detections?.unmappedClasses, []);
    assert.equal(view().labelId, 'blue');
    assert.equal(script.pending('ai.detect').length, 0);

    // The box-only cat: no materialize, a box annotation from the detector.
    await session.accept();
    assert.equal(script.pending('ai.materialize').length, 0);
    assert.equal(world.commits.length, 1);
    const box = world.commits[0]![0]!;
    assert.equal(box.geometry.kind, 'box');
    assert.equal(box.source, 'yolo');
    assert.equal(box.score, 0.7);
    assert.equal(box.labelId, 'blue');
    assert.equal(view().candidates?.candidates.length, 1, 'the accepted detection leaves the list');
    assert.equal(state(), 'candidates');

    // The masked one goes through ai.materialize.
    const accepting = session.accept();
    await script.answer('ai.materialize', { ...MATERIALIZED, modelId: 'yolo', score: 0.9 });
    await accepting;
    assert.deepEqual(script.invocations.length, 0);
    assert.equal(world.commits[1]![0]!.source, 'yolo');
    assert.equal(world.commits[1]![0]!.labelId, 'red');
    assert.equal(state(), 'idle', 'the last detection accepted: nothing left');
  });

  it('no detections, a failure, or a prompt model: idle with a word on why', async () => {
    const { session, script, world, state, messages } = harness();
    world.model = YOLO;
    const none = session.detectObjects();
    await script.answer('ai.detect', detectionSet([]));
    await none;
    assert.equal(state(), 'idle');
    assert.match(messages().at(-1)!, /No objects found above the score threshold \(0\.25\)/);
    const failing = session.detectObjects();
    await script.fail('ai.detect', 'the detector stopped');
    await failing;
    assert.equal(state(), 'idle');
    assert.equal(messages().at(-1), 'the detector stopped');
    world.model = MODEL;
    await session.detectObjects();
    assert.equal(script.pending('ai.detect').length, 0);
    assert.match(messages().at(-1)!, /Tiny is not a detector/);
  });
});
