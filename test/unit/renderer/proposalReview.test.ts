// The review queue in the renderer store, with main played by a script: Y
// accepts the selected proposal and X rejects it as one document batch each
// (the batches of common/review/proposalOps.ts), shown at once and undone
// through main's inverse; a label chosen before accepting goes with it; the
// threshold hides proposals from the view, Tab and "accept all"; accept all
// is main's batch recorded as one undo step; J opens the next image with
// proposals; status means review state (opening changes nothing, the first
// edit or review of a to-do image starts it in the same batch); job reports
// update the jobs, the list's counts and the proposals on screen.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, mock } from 'node:test';

import type { AutolabelJob, DocOp, DocumentChange, ImageRecord, ProposalRecord } from '../../../common/contract/index.js';
import type { dispatchKey as DispatchKey } from '../../../renderer/src/actions/dispatchKey.js';
import type { AppState, useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { withStartedStatus } from '../../../renderer/src/store/startedStatus.js';
import { IMAGE, keyInput, LABELS, Script, scriptedBridge, settle, storeOnBridge } from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);

const TODO: ImageRecord = { ...IMAGE, status: 'todo', proposalCount: 3 };

function proposal(id: string, score: number, labelId: string | null = 'red'): ProposalRecord {
  const box = { x: 10, y: 10, w: 20, h: 10 };
  return {
    id,
    imageId: IMAGE.id,
    labelId,
    geometry: { kind: 'box', box },
    score,
    source: 'tiny',
    jobId: 'job-1',
    runKey: 'names|tiny|*',
    createdAt: 5,
    box,
    area: 200,
  };
}
const P1 = proposal('p1', 0.9);
const P2 = proposal('p2', 0.7, 'blue');
const P3 = proposal('p3', 0.3);

const JOB: AutolabelJob = {
  id: 'job-1',
  params: { source: 'names', minScore: 0.3, nmsIoU: 0.5, pointsPerSide: 12 },
  modelId: 'tiny',
  state: 'running',
  message: null,
  total: 3,
  done: 1,
  failed: 0,
  proposals: 3,
  imagesPerSecond: 0.5,
  etaSeconds: 4,
  createdAt: 1,
  updatedAt: 10,
};

const APPLIED = (inverse: DocOp[] = []) => ({ inverse, revision: 9, revisions: [] });

describe('review queue', () => {
  let store: typeof UseAppStore;
  let dispatchKey: typeof DispatchKey;
  const s = (): AppState => store.getState();

  before(async () => {
    store = await storeOnBridge(bridge);
    ({ dispatchKey } = await import('../../../renderer/src/actions/dispatchKey.js'));
  });
  after(() => mock.timers.reset());

  beforeEach(async () => {
    s().clearHistory();
    s().setActiveTool('select');
    await settle();
    // A list page left waiting would keep the next refresh of that page from being asked.
    for (const call of script.pending('images.list')) call.answer({ total: 2, items: [TODO, { ...IMAGE, id: 9, relPath: 'b.jpg' }] });
    await settle();
    script.invocations.length = 0;
    store.setState({
      labels: LABELS,
      currentImage: TODO,
      currentIndex: 0,
      imagePages: { 0: [TODO, { ...IMAGE, id: 9, relPath: 'b.jpg' }] },
      imageTotal: 2,
      documentImageId: IMAGE.id,
      annotations: [],
      captions: [],
      selection: [],
      reviewFilter: {},
      statusFilter: null,
      searchText: '',
      toasts: [],
      autolabelJobs: [],
      proposals: [],
      proposalsImageId: null,
      selectedProposalId: null,
      proposalLabels: {},
      proposalThreshold: 0.5,
    });
    void s().loadProposals(IMAGE.id);
    await script.answer('proposals.list', [P3, P1, P2]);
    s().setProposalThreshold(0.5);
  });

  it('loads the open image’s proposals best first and selects the best one shown', () => {
    assert.deepEqual(
      s().proposals.map((p) => p.id),
      ['p1', 'p2', 'p3'],
    );
    assert.equal(s().selectedProposalId, 'p1');
  });

  it('Y accepts the selected proposal as one batch: its annotation keeps model, job and score; the to-do image starts; undo puts it back', async () => {
    const taken = dispatchKey(keyInput('y'), s());
    assert.ok(taken && taken !== 'tool' && taken.name === 'review.accept');
    // Shown at once: the annotation is there, the proposal gone, the next one selected, the image started and its count down.
    assert.equal(s().annotations.length, 1);
    assert.deepEqual(
      s().proposals.map((p) => p.id),
      ['p2', 'p3'],
    );
    assert.equal(s().selectedProposalId, 'p2');
    assert.equal(s().currentImage?.status, 'in_progress');
    assert.equal(s().imagePages[0]![0]!.proposalCount, 2);

    await settle();
    const { ops } = script.pending('document.apply')[0]!.request as { ops: DocOp[] };
    assert.deepEqual(
      ops.map((op) => op.type),
      ['proposal.delete', 'annotation.put', 'image.status'],
    );
    const put = ops[1] as Extract<DocOp, { type: 'annotation.put' }>;
    assert.deepEqual(
      { labelId: put.annotation.labelId, score: put.annotation.score, source: put.annotation.source, jobId: put.annotation.jobId },
      { labelId: 'red', score: 0.9, source: 'tiny', jobId: 'job-1' },
    );
    assert.deepEqual(put.annotation.geometry, P1.geometry);
    assert.deepEqual(ops[2], { type: 'image.status', imageId: IMAGE.id, status: 'in_progress' });
    // Main's inverse: the image to do again, the annotation deleted, the proposal back (as stored: no measures).
    const { box: _box, area: _area, ...stored } = P1;
    const inverse: DocOp[] = [
      { type: 'image.status', imageId: IMAGE.id, status: 'todo' },
      { type: 'annotation.delete', id: put.annotation.id, revision: 9 },
      { type: 'proposal.put', proposal: stored },
    ];
    await script.answer('document.apply', APPLIED(inverse));
    assert.equal(s().canUndo, true);

    void s().undo();
    await settle();
    assert.deepEqual(
      s().proposals.map((p) => p.id),
      ['p1', 'p2', 'p3'],
      'the undo put the proposal back, with its measures',
    );
    assert.deepEqual(s().proposals[0]!.box, P1.box);
    assert.equal(s().selectedProposalId, 'p1', 'the restored proposal is selected');
    assert.equal(s().annotations.length, 0);
    assert.equal(s().currentImage?.status, 'todo');
    const undone = await script.answer('document.apply', APPLIED());
    assert.deepEqual((undone.request as { ops: DocOp[] }).ops, inverse);
  });

  it('X rejects the selected proposal: one proposal.delete, nothing added; an image in progress gets no status op', async () => {
    store.setState({ currentImage: { ...TODO, status: 'in_progress' } });
    dispatchKey(keyInput('X'), s());
    assert.equal(s().annotations.length, 0);
    const sent = await script.answer('document.apply', APPLIED([{ type: 'proposal.put', proposal: P1 }]));
    assert.deepEqual((sent.request as { ops: DocOp[] }).ops, [{ type: 'proposal.delete', id: 'p1' }]);
    assert.deepEqual(
      s().proposals.map((p) => p.id),
      ['p2', 'p3'],
    );
  });

  it('a digit labels the selected proposal before it is accepted; with an annotation selected the digit is the label key again', async () => {
    dispatchKey(keyInput('2', { code: 'Digit2' }), s());
    assert.equal(s().proposalLabels.p1, 'blue');
    s().acceptProposal();
    const sent = await script.answer('document.apply', APPLIED());
    const put = (sent.request as { ops: DocOp[] }).ops[1] as Extract<DocOp, { type: 'annotation.put' }>;
    assert.equal(put.annotation.labelId, 'blue');

    store.setState({ selection: ['a1'] });
    const taken = dispatchKey(keyInput('1', { code: 'Digit1' }), s());
    assert.ok(taken && taken !== 'tool' && taken.name === 'labels.hotkey');
  });

  it('the threshold hides proposals from the view and from Tab; the selection moves to one shown', () => {
    dispatchKey(keyInput('Tab'), s());
    assert.equal(s().selectedProposalId, 'p2');
    dispatchKey(keyInput('Tab'), s());
    assert.equal(s().selectedProposalId, 'p1', 'wraps past the hidden p3');
    dispatchKey(keyInput('Tab', { shiftKey: true }), s());
    assert.equal(s().selectedProposalId, 'p2');
    s().setProposalThreshold(0.8);
    assert.equal(s().selectedProposalId, 'p1', 'p2 is hidden now');
    s().setProposalThreshold(0.95);
    assert.equal(s().selectedProposalId, null);
    assert.equal(dispatchKey(keyInput('y'), s()), null, 'Y with nothing shown is left alone');
  });

  it('accept all above the threshold: main builds the batch; its inverse is one undo step, and the list is refreshed', async () => {
    store.setState({ proposalThreshold: 0.6 });
    dispatchKey(keyInput('Y', { shiftKey: true }), s());
    const inverse: DocOp[] = [{ type: 'proposal.put', proposal: P1 }];
    const asked = await script.answer('proposals.acceptAll', APPLIED(inverse));
    const request = asked.request as { imageId: number; minScore: number; origin: string };
    assert.equal(request.imageId, IMAGE.id);
    assert.equal(request.minScore, 0.6);
    assert.match(request.origin, /:host$/, 'not this window’s own origin: its document.changed is applied here');
    assert.equal(s().canUndo, true);
    assert.equal(script.pending('images.list').length, 1, 'the list counts are refreshed');
    void s().undo();
    const undone = await script.answer('document.apply', APPLIED());
    assert.deepEqual((undone.request as { ops: DocOp[] }).ops, inverse);

    void s().acceptProposalsAbove('project');
    const all = await script.answer('proposals.acceptAll', APPLIED());
    assert.equal((all.request as { imageId?: number }).imageId, undefined, 'the whole folder');
  });

  it('main’s document.changed for this window’s accept all, or another window’s review, reloads the proposals on screen', async () => {
    const change = (origin: string | null, proposalImageIds: number[]): DocumentChange => ({
      revision: 3,
      origin,
      annotations: [],
      revisions: [],
      captions: [],
      deletedCaptionIds: [],
      labels: [],
      deletedLabelIds: [],
      images: [],
      proposalImageIds,
    });
    s().applyProposalChange(change('other', [9]));
    assert.equal(script.pending('proposals.list').length, 0, 'another image');
    s().applyProposalChange(change('other', [IMAGE.id]));
    await script.answer('proposals.list', [P2]);
    assert.deepEqual(
      s().proposals.map((p) => p.id),
      ['p2'],
    );
  });

  it('J opens the next image with proposals: the list filter gains "has proposals" and the host names the image', async () => {
    dispatchKey(keyInput('j'), s());
    assert.deepEqual(s().reviewFilter, { hasProposals: true });
    const asked = await script.answer('images.neighbour', { imageId: 9, index: 1 });
    assert.deepEqual(asked.request, { fromImageId: IMAGE.id, direction: 1, filter: { hasProposals: true } });
  });

  it('opening an image sends no change: its status stays to do, and its proposals load', async () => {
    store.setState({ currentImage: null });
    void s().openImageAt(0);
    await settle();
    assert.ok(script.pending('proposals.list').length >= 1);
    await script.answer('images.get', TODO);
    await script.answer('annotations.list', []);
    await script.answer('captions.list', []);
    await settle();
    assert.equal(script.pending('document.apply').length, 0);
    assert.equal(s().currentImage?.status, 'todo');
  });

  it('a job report updates its job, the image’s count in the list, and the proposals when the image is on screen', async () => {
    s().applyAutolabelEvent({ job: JOB, image: { imageId: 9, proposalCount: 4 } });
    assert.deepEqual(s().autolabelJobs, [JOB]);
    assert.equal(s().imagePages[0]![1]!.proposalCount, 4);
    assert.equal(script.pending('proposals.list').length, 0, 'not the image on screen');
    const later = { ...JOB, done: 3, state: 'done' as const, imagesPerSecond: null, etaSeconds: null, updatedAt: 20 };
    s().applyAutolabelEvent({ job: later, image: { imageId: IMAGE.id, proposalCount: 5 } });
    assert.equal(s().autolabelJobs[0]!.done, 3);
    assert.equal(s().autolabelJobs[0]!.imagesPerSecond, 0.5, 'a finished job keeps its last rate');
    assert.equal(s().currentImage?.proposalCount, 5);
    await script.answer('proposals.list', [P1]);
    s().applyAutolabelEvent({ job: JOB, image: null });
    assert.equal(s().autolabelJobs[0]!.done, 3, 'an older report does not roll the job back');
  });
});

describe('auto-label jobs', () => {
  let store: typeof UseAppStore;
  const s = (): AppState => store.getState();
  before(async () => {
    store = await storeOnBridge(bridge);
  });
  after(() => mock.timers.reset());
  beforeEach(async () => {
    await settle();
    script.invocations.length = 0;
    store.setState({ autolabelJobs: [], autolabelSources: null, toasts: [] });
  });

  it('opening the dialog reads the sources (with why one is greyed out) and the jobs, newest first', async () => {
    s().setAutolabelDialogOpen(true);
    const sources = [
      { source: 'names', available: true, reason: null },
      { source: 'detector', available: false, reason: 'No detector is installed.' },
    ];
    await script.answer('autolabel.sources', sources);
    await script.answer('autolabel.jobs', [JOB, { ...JOB, id: 'job-2', createdAt: 5 }]);
    assert.deepEqual(s().autolabelSources, sources);
    assert.deepEqual(
      s().autolabelJobs.map((j) => j.id),
      ['job-2', 'job-1'],
    );
  });

  it('start sends the parameters; pause, resume and cancel name the job and take the answer; a refusal is shown', async () => {
    void s().startAutolabel({ source: 'names', labelIds: ['red'], minScore: 0.4 });
    const started = await script.answer('autolabel.start', JOB);
    assert.deepEqual(started.request, { source: 'names', labelIds: ['red'], minScore: 0.4 });
    void s().controlJob('job-1', 'pause');
    const paused = await script.answer('autolabel.pause', { ...JOB, state: 'paused', updatedAt: 11 });
    assert.deepEqual(paused.request, { jobId: 'job-1' });
    assert.equal(s().autolabelJobs[0]!.state, 'paused');
    void s().controlJob('job-1', 'resume');
    await script.answer('autolabel.resume', { ...JOB, state: 'running', updatedAt: 12 });
    void s().controlJob('job-1', 'cancel');
    await script.answer('autolabel.cancel', { ...JOB, state: 'cancelled', updatedAt: 13 });
    assert.equal(s().autolabelJobs[0]!.state, 'cancelled');
    void s().startAutolabel({ source: 'examples' });
    await script.fail('autolabel.start', 'No annotation is marked as an example.');
    assert.match(s().toasts.at(-1)?.message ?? '', /marked as an example/);
  });
});

describe('status means review state', () => {
  const annotationPut = (imageId: number): DocOp => ({
    type: 'annotation.put',
    annotation: {
      id: 'a',
      imageId,
      labelId: null,
      geometry: { kind: 'box', box: { x: 0, y: 0, w: 1, h: 1 } },
      score: null,
      source: 'manual',
      createdAt: 1,
      updatedAt: 1,
      revision: 0,
    },
  });
  const doc = (status: ImageRecord['status']) => ({ currentImage: { id: 7, status }, annotations: [{ id: 'b' }], captions: [{ id: 'c' }] });
  const started = { type: 'image.status', imageId: 7, status: 'in_progress' };

  it('the first edit or review of a to-do image starts it in the same batch', () => {
    assert.deepEqual(withStartedStatus([annotationPut(7)], doc('todo')).at(-1), started);
    assert.deepEqual(withStartedStatus([{ type: 'annotation.delete', id: 'b', revision: 1 }], doc('todo')).at(-1), started);
    assert.deepEqual(withStartedStatus([{ type: 'caption.delete', id: 'c' }], doc('todo')).at(-1), started);
    assert.deepEqual(withStartedStatus([{ type: 'proposal.delete', id: 'p' }], doc('todo')).at(-1), started);
  });

  it('nothing else starts it: an image already started or done, a label change, another image, a status the user set', () => {
    const same = (ops: DocOp[], status: ImageRecord['status'] = 'todo') => assert.equal(withStartedStatus(ops, doc(status)), ops);
    same([annotationPut(7)], 'in_progress');
    same([annotationPut(7)], 'done');
    same([{ type: 'label.put', label: LABELS[0]! }]);
    same([annotationPut(8)]);
    same([{ type: 'image.status', imageId: 7, status: 'done' }, annotationPut(7)]);
  });
});
