// The review in the renderer: the dataset view's plots as data (bars, what a
// click filters, the CSV), the review filter sent with every list page, and
// F / Shift+F opening the next / previous matching image the host names,
// even after the open image has left the filtered list.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';

import type { DatasetStats, ImageRecord } from '../../../common/contract/index.js';
import type { dispatchKey as DispatchKey } from '../../../renderer/src/actions/dispatchKey.js';
import type * as Charts from '../../../renderer/src/panels/datasetCharts.js';
import type { AppState, useAppStore as UseAppStore } from '../../../renderer/src/store/appStore.js';
import { IMAGE, keyInput, LABELS, Script, scriptedBridge, settle, storeOnBridge } from './aiFixtures.js';

const script = new Script();
const bridge = scriptedBridge(script);

const STATS: DatasetStats = {
  images: 3,
  annotations: 5,
  labels: [
    { labelId: 'red', name: '=cmd|calc', colour: '#ff0000', instances: 2, images: 1 },
    { labelId: 'blue', name: 'blue, "square"', colour: '#0000ff', instances: 2, images: 2 },
    { labelId: null, name: '(unlabeled)', colour: '#9ca3af', instances: 1, images: 1 },
  ],
  statuses: [
    { status: 'todo', images: 1 },
    { status: 'in_progress', images: 1 },
    { status: 'done', images: 1 },
  ],
  annotationsPerImage: [
    { min: 0, max: 4, images: 2 },
    { min: 5, max: 9, images: 1 },
  ],
  sizeClasses: [
    { size: 'small', minArea: 0, maxArea: 1024, annotations: 2 },
    { size: 'medium', minArea: 1024, maxArea: 9216, annotations: 2 },
    { size: 'large', minArea: 9216, maxArea: null, annotations: 1 },
  ],
  sideHistogram: [
    { minSide: 0, maxSide: 5, annotations: 1 },
    { minSide: 5, maxSide: 10, annotations: 4 },
  ],
  origins: [
    { origin: { kind: 'source', source: 'manual' }, annotations: 3 },
    { origin: { kind: 'accepted' }, annotations: 1 },
    { origin: { kind: 'source', source: 'yolo11n' }, annotations: 1 },
  ],
  proposals: { proposals: 4, images: 2 },
  ms: 3,
  current: true,
};

const image = (id: number, relPath: string): ImageRecord => ({ ...IMAGE, id, relPath });

describe('dataset view plots', () => {
  let charts: typeof Charts;
  before(async () => {
    Object.assign(globalThis, { window: { promptlabel: bridge } });
    charts = await import('../../../renderer/src/panels/datasetCharts.js');
  });

  it('one plot per figure, each bar with its value, colour and what a click filters by', () => {
    const plots = charts.datasetCharts(STATS);
    assert.deepEqual(
      plots.map((plot) => [plot.id, plot.type]),
      [
        ['labels', 'bar'],
        ['statuses', 'bar'],
        ['annotationsPerImage', 'bar'],
        ['sizeClasses', 'bar'],
        ['sideHistogram', 'bar'],
        ['origins', 'doughnut'],
      ],
    );
    const byId = Object.fromEntries(plots.map((plot) => [plot.id, plot]));
    assert.deepEqual(
      byId.labels!.bars.map((bar) => [bar.value, bar.colour, bar.click]),
      [
        [2, '#ff0000', { kind: 'filter', patch: { labelId: 'red' } }],
        [2, '#0000ff', { kind: 'filter', patch: { labelId: 'blue' } }],
        [1, '#9ca3af', { kind: 'filter', patch: { labelId: null } }],
      ],
    );
    assert.deepEqual(byId.statuses!.bars[2]!.click, { kind: 'status', status: 'done' });
    assert.deepEqual(
      byId.annotationsPerImage!.bars.map((bar) => [bar.text, bar.click]),
      [
        ['0–4', { kind: 'filter', patch: { minAnnotations: 0, maxAnnotations: 4 } }],
        ['5–9', { kind: 'filter', patch: { minAnnotations: 5, maxAnnotations: 9 } }],
      ],
    );
    assert.deepEqual(byId.sizeClasses!.bars[2]!.click, { kind: 'filter', patch: { minArea: 9216, maxArea: undefined } });
    assert.deepEqual(byId.sideHistogram!.bars[1]!.click, { kind: 'filter', patch: { minArea: 25, maxArea: 100 } });
    assert.deepEqual(
      byId.origins!.bars.map((bar) => [bar.text, bar.value]),
      [
        ['Manual', 3],
        ['Accepted proposals', 1],
        ['yolo11n', 1],
      ],
    );
    assert.deepEqual(byId.origins!.bars[1]!.click, { kind: 'filter', patch: { origin: { kind: 'accepted' } } });
  });

  it('CSV: a header and a row per bar, quoted where needed, no formula a spreadsheet would run', () => {
    const byId = Object.fromEntries(charts.datasetCharts(STATS).map((plot) => [plot.id, plot]));
    assert.equal(
      charts.toCsv(byId.labels!.table),
      'label,instances,images\r\n\'=cmd|calc,2,1\r\n"blue, ""square""",2,2\r\n(unlabeled),1,1\r\n',
    );
    assert.equal(charts.toCsv(byId.sizeClasses!.table).split('\r\n')[3], 'large,9216,,1');
    assert.equal(
      charts.toCsv(byId.origins!.table),
      'origin,source,annotations,share\r\nsource,manual,3,0.6\r\naccepted,,1,0.2\r\nsource,yolo11n,1,0.2\r\n',
    );
  });
});

describe('the filter bar text', () => {
  it('reads a score bound as 0–1 or a percentage, empty as no bound, and refuses anything else', async () => {
    const { parseScore } = await import('../../../renderer/src/panels/reviewFilterText.js');
    assert.deepEqual(['', ' ', '0.25', '1', '40', '100', '-0.1', '101', 'abc'].map(parseScore), [
      undefined,
      undefined,
      0.25,
      1,
      0.4,
      1,
      null,
      null,
      null,
    ]);
  });

  it("shows the dataset view's conditions as chips that remove them", async () => {
    const { chipsOf } = await import('../../../renderer/src/panels/reviewFilterText.js');
    assert.deepEqual(chipsOf({ labelId: 'red', minScore: 0.5 }), [], 'the bar has its own controls for these');
    assert.deepEqual(chipsOf({ minArea: 1024, maxArea: 9216, minAnnotations: 3, maxAnnotations: 3 }), [
      { text: 'area 1024–9216 px²', clear: { minArea: undefined, maxArea: undefined } },
      { text: '3 annotations', clear: { minAnnotations: undefined, maxAnnotations: undefined } },
    ]);
    assert.deepEqual(
      chipsOf({ minArea: 9216, minAnnotations: 5, maxAnnotations: 9 }).map((chip) => chip.text),
      ['area ≥ 9216 px²', '5–9 annotations'],
    );
  });
});

describe('review filter and the next matching image', () => {
  let store: typeof UseAppStore;
  let dispatchKey: typeof DispatchKey;
  const s = (): AppState => store.getState();

  before(async () => {
    store = await storeOnBridge(bridge);
    ({ dispatchKey } = await import('../../../renderer/src/actions/dispatchKey.js'));
  });

  beforeEach(async () => {
    await settle();
    script.invocations.length = 0;
    store.setState({
      labels: LABELS,
      reviewFilter: {},
      statusFilter: null,
      searchText: '',
      currentImage: image(7, 'b.jpg'),
      currentIndex: 1,
      imagePages: { 0: [image(5, 'a.jpg'), image(7, 'b.jpg'), image(9, 'c.jpg')] },
      imageTotal: 3,
      toasts: [],
    });
  });

  it('sends the filter with every page, merges changes, and drops a condition set to undefined', async () => {
    s().patchReviewFilter({ labelId: 'red', minScore: 0.25 });
    await settle();
    assert.deepEqual(script.pending('images.list').at(-1)!.request, {
      offset: 0,
      limit: 200,
      filter: { labelId: 'red', minScore: 0.25 },
    });
    s().patchReviewFilter({ labelId: undefined, hasProposals: true });
    assert.deepEqual(s().reviewFilter, { minScore: 0.25, hasProposals: true });
    s().setReviewFilter({});
    await settle();
    assert.deepEqual(script.pending('images.list').at(-1)!.request, { offset: 0, limit: 200 });
  });

  it('F asks the host for the next image matching the list as filtered, from the open one, and opens it at its index', async () => {
    store.setState({ reviewFilter: { hasProposals: true }, statusFilter: 'in_progress' });
    const taken = dispatchKey(keyInput('f'), s());
    assert.ok(taken !== null && taken !== 'tool' && taken.name === 'images.nextMatching');
    const asked = await script.answer('images.neighbour', { imageId: 9, index: 2 });
    assert.deepEqual(asked.request, { fromImageId: 7, direction: 1, status: 'in_progress', filter: { hasProposals: true } });
    assert.equal(s().currentImage?.id, 9);
    assert.equal(s().currentIndex, 2);
    assert.equal(script.pending('images.list').length, 0, 'the loaded pages were current: no reload');
  });

  it('Shift+F from an image that has left the filtered list reloads the list, then opens the match', async () => {
    store.setState({ currentIndex: null, reviewFilter: { labelId: 'blue' } });
    const taken = dispatchKey(keyInput('F', { shiftKey: true }), s());
    assert.ok(taken !== null && taken !== 'tool' && taken.name === 'images.previousMatching');
    const asked = await script.answer('images.neighbour', { imageId: 5, index: 0 });
    assert.deepEqual(asked.request, { fromImageId: 7, direction: -1, filter: { labelId: 'blue' } });
    const page = await script.answer('images.list', { total: 2, items: [image(5, 'a.jpg'), image(9, 'c.jpg')] });
    assert.deepEqual(page.request, { offset: 0, limit: 200, filter: { labelId: 'blue' } });
    await settle();
    assert.equal(s().currentImage?.id, 5);
    assert.equal(s().currentIndex, 0);
  });

  it('no further match: says so and stays', async () => {
    s().patchReviewFilter({ labelId: 'red' });
    script.invocations.length = 0;
    void s().stepMatchingImage(1);
    await script.answer('images.neighbour', null);
    assert.equal(s().currentImage?.id, 7);
    assert.match(s().toasts.at(-1)?.message ?? '', /No later image matches the filter/);
  });

  it('S opens the dataset view and loads its figures; S again closes it', async () => {
    dispatchKey(keyInput('s'), s());
    assert.equal(s().datasetViewOpen, true);
    const asked = await script.answer('dataset.stats', STATS);
    assert.deepEqual(asked.request, { whileCounting: 'last' });
    assert.deepEqual(s().datasetStats, STATS);
    assert.equal(s().datasetStatsLoading, false, 'current figures: no second request');
    dispatchKey(keyInput('S', { shiftKey: true }), s());
    assert.equal(s().datasetViewOpen, false);
  });

  it('figures from before a change are shown as they are, then replaced by the current ones', async () => {
    void s().loadDatasetStats();
    const older = { ...STATS, annotations: 4, current: false };
    await script.answer('dataset.stats', older);
    assert.equal(s().datasetStats?.current, false);
    assert.equal(s().datasetStatsLoading, true, 'still counting');
    const asked = await script.answer('dataset.stats', STATS);
    assert.deepEqual(asked.request, { whileCounting: 'wait' });
    assert.deepEqual(s().datasetStats, STATS);
    assert.equal(s().datasetStatsLoading, false);
  });
});
