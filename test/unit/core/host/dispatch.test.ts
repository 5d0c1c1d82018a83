import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type ChannelName, channelNames } from '../../../../common/contract/index.js';
import { createDispatch } from '../../../../core/host/dispatch.js';
import type { Handlers } from '../../../../core/host/handlerTypes.js';

/** Handlers that only record that they ran: these tests are about the gate in front of them. */
function recordingHandlers(calls: ChannelName[]): Handlers {
  const entries = channelNames.map((name) => [name, () => (calls.push(name), null)]);
  return Object.fromEntries(entries);
}

const validAnnotation = {
  id: 'a1',
  imageId: 1,
  labelId: null,
  geometry: { kind: 'box', box: { x: 1, y: 2, w: 3, h: 4 } },
  score: null,
  source: 'manual',
  createdAt: 1,
  updatedAt: 1,
  revision: 0,
};

/** For each channel, payloads that must be refused before any handler runs. */
const badPayloads: Record<ChannelName, unknown[]> = {
  'app.info': [{ extra: 1 }, 'x', 42],
  'autolabel.sources': [{ x: 1 }],
  'autolabel.start': [
    {},
    { source: 'everything' },
    { source: 'names', minScore: 2 },
    { source: 'names', labelIds: [] },
    { source: 'names', imageIds: [0] },
  ],
  'autolabel.jobs': [{ all: true }],
  'autolabel.pause': [{}, { jobId: '' }, { jobId: 5 }],
  'autolabel.resume': [{}, { jobId: 'x'.repeat(65) }],
  'autolabel.cancel': [{ jobId: null }],
  'proposals.list': [{}, { imageId: 0 }, { imageId: 'a' }],
  'proposals.acceptAll': [{}, { minScore: -1 }, { minScore: 0.5, imageId: 1.5 }, { minScore: 0.5, extra: 1 }],
  'proposals.exportResults': [{ what: 'everything' }, { outPath: '' }, { overwrite: 'yes' }],
  'proposals.importResults': [{}, { path: '' }, { path: 3 }],
  'dialog.pickFolder': [{ dir: '/tmp' }, []],
  'dialog.pickCocoFile': [{ path: '/tmp/a.json' }, 'x'],
  'dialog.pickModelFiles': [{ paths: [] }, 'x'],
  'dialog.saveCocoFile': [{ path: '/tmp/a.json' }, 'x'],
  'project.open': [{}, { dir: '' }, { dir: 5 }, { dir: '/tmp', more: true }, null],
  'project.current': [{ x: 1 }],
  'project.rescan': [{ force: true }],
  'images.list': [
    { offset: -1 },
    { limit: 0 },
    { limit: 1e9 },
    { status: 'finished' },
    { search: 5 },
    { filter: { minAnnotations: 3, maxAnnotations: 2 } },
    { filter: { hasProposals: 'yes' } },
    { filter: { origin: { kind: 'source', source: '' } } },
  ],
  'images.get': [{}, { imageId: 0 }, { imageId: 1.5 }, { imageId: '1' }],
  'images.neighbour': [
    {},
    { fromImageId: 1 },
    { fromImageId: 1, direction: 2 },
    { fromImageId: 0, direction: 1 },
    { fromImageId: null, direction: 1, offset: 0 },
    { fromImageId: null, direction: -1, filter: { minScore: 0.9, maxScore: 0.1 } },
  ],
  'annotations.matching': [
    { imageId: 1 },
    { imageId: 1, filter: { labelId: '../x' } },
    { imageId: 1, filter: { minScore: 2 } },
    { imageId: 1, filter: { minArea: 10, maxArea: 10 } },
    { imageId: 1, filter: { origin: { kind: 'model' } } },
    { imageId: 1, filter: { colour: 'red' } },
  ],
  'dataset.stats': [{ labelId: 'a' }, 'x'],
  'dataset.import': [
    {},
    { format: 'tiff', path: '/x' },
    { format: 'coco', path: '/x', duplicates: 'sometimes' },
    { format: 'yolo' },
    { format: 'yolo', path: '' },
    { format: 'voc', path: '/x', labelMap: { a: '' } },
  ],
  'dataset.export': [
    {},
    { format: 'tiff' },
    { format: 'yolo', valRatio: 2 },
    { format: 'yolo', seed: -1 },
    { format: 'cvat', yoloTask: 'pose' },
  ],
  'dialog.pickDatasetPath': [{}, { purpose: 'read', folder: true }, { purpose: 'import' }],
  'labels.list': [{ all: true }],
  'annotations.list': [{}, { imageId: -3 }],
  'captions.list': [{ imageId: null }],
  'document.apply': [
    {},
    { ops: [] },
    { ops: [{ type: 'annotation.explode', id: 'a' }] },
    { ops: [{ type: 'annotation.put', annotation: { ...validAnnotation, geometry: { kind: 'box', box: { x: 0, y: 0, w: -1, h: 1 } } } }] },
    {
      ops: [
        {
          type: 'annotation.put',
          annotation: { ...validAnnotation, geometry: { kind: 'polygon', polygons: [{ outer: [0, 0, 1, 1], holes: [] }] } },
        },
      ],
    },
    {
      ops: [
        {
          type: 'annotation.put',
          annotation: { ...validAnnotation, geometry: { kind: 'polygon', polygons: [{ outer: [0, 0, 1, 1, 2], holes: [] }] } },
        },
      ],
    },
    {
      ops: [{ type: 'annotation.put', annotation: { ...validAnnotation, geometry: { kind: 'mask', rle: { size: [0, 4], counts: '' } } } }],
    },
    { ops: [{ type: 'annotation.put', annotation: { ...validAnnotation, id: '../etc' } }] },
    { ops: [{ type: 'annotation.put', annotation: { ...validAnnotation, score: 1.5 } }] },
    { ops: [{ type: 'annotation.put', annotation: { ...validAnnotation, revision: -1 } }] },
    { ops: [{ type: 'annotation.delete', id: 'a1' }] },
    { ops: [{ type: 'annotation.put', annotation: validAnnotation }], origin: '' },
    { ops: [{ type: 'label.put', label: { id: 'l1', name: 'cat', colour: 'red', hotkey: null } }] },
    { ops: [{ type: 'label.put', label: { id: 'l1', name: '  ', colour: '#ff0000', hotkey: null } }] },
    { ops: [{ type: 'label.put', label: { id: 'l1', name: 'cat', colour: '#ff0000', hotkey: '0' } }] },
    { ops: [{ type: 'image.status', imageId: 1, status: 'maybe' }] },
    { ops: [{ type: 'caption.put', caption: { id: 'c', imageId: 1, text: '', words: [], source: 'manual', createdAt: 0, updatedAt: 0 } }] },
  ],
  'coco.export': [{ outPath: '' }, { includeCaptions: 'yes' }, { format: 'voc' }],
  'coco.import': [{}, { path: '' }, { path: 3 }],
  'narratives.import': [{}, { path: '' }, { path: 'a.jsonl', skipUnmatched: 'yes' }, { path: 'a.jsonl', format: 'ln' }],
  'narratives.export': [{ outPath: '' }, { overwrite: 1 }, { format: 'ln' }],
  'captions.search': [{}, { query: '' }, { query: '   ' }, { query: 'a', limit: 0 }, { query: 'a', limit: 5000 }],
  'ai.models': [{ all: true }],
  'ai.status': [{ verbose: 1 }],
  'ai.configure': [{ executionProvider: 'tpu' }, { cacheLimitMB: 1 }, { prefetchCount: -1 }, { modelId: '' }, { theme: 'dark' }],
  'ai.focus': [{}, { imageId: 0 }, { imageId: 1, upcoming: [0] }, { imageId: 1, upcoming: new Array(65).fill(2) }],
  'ai.featureStates': [{}, { imageIds: [1.5] }],
  'ai.segment': [
    {},
    { imageId: 1 },
    { imageId: 1, prompts: {} },
    { imageId: 1, prompts: { clicks: [{ x: 1, y: 2 }] } },
    { imageId: 1, prompts: { box: [10, 10, 5, 20] } },
    { imageId: 1, prompts: { scribbles: [{ points: [], positive: true }] } },
    { imageId: 1, prompts: { scribbles: [{ points: Array.from({ length: 100_000 }, (_, i) => [i % 50, 3]), positive: true }] } },
    { imageId: 1, prompts: { text: '   ' } },
    { imageId: 1, prompts: { reference: { imageId: 2 } } },
    { imageId: 1, prompts: { clicks: [{ x: Number.NaN, y: 2, positive: true }] } },
    { imageId: 1, prompts: { text: 'red circle' }, previous: { candidateSetId: '', index: 0 } },
  ],
  'ai.everything': [{}, { imageId: 1, pointsPerSide: 1000 }, { imageId: 1, minScore: 2 }],
  'ai.caption': [
    {},
    { imageId: 1, box: [10, 10, 5, 20] },
    { imageId: 1, box: [0, 0, 1] },
    { imageId: 1, extra: 1 },
    { imageId: 1, phrase: '   ' },
    { imageId: 1, phrase: 'x'.repeat(201) },
    { imageId: 1, box: [0, 0, 5, 5], phrase: 'red circle' },
  ],
  'ai.phraseScores': [
    {},
    { imageId: 1, phrase: 'red circle' },
    { imageId: 1, phrase: 'red circle', boxes: [] },
    { imageId: 1, phrase: '  ', boxes: [[0, 0, 5, 5]] },
    { imageId: 1, phrase: 'red circle', boxes: [[10, 10, 5, 20]] },
    { imageId: 1, phrase: 'red circle', boxes: Array.from({ length: 33 }, () => [0, 0, 5, 5]) },
    { imageId: 1, phrase: 'red circle', boxes: [[0, 0, 5, 5]], extra: 1 },
  ],
  'ai.detect': [
    {},
    { imageId: 0 },
    { imageId: 1, conf: 1.5 },
    { imageId: 1, iou: -0.1 },
    { imageId: 1, maxDetections: 0 },
    { imageId: 1, modelId: '' },
    { imageId: 1, extra: true },
  ],
  'ai.setLabelMap': [
    {},
    { modelId: 'yolo' },
    { modelId: '', map: {} },
    { modelId: 'yolo', map: { cat: 5 } },
    { modelId: 'yolo', map: { '': 'cat' } },
  ],
  'ai.materialize': [{}, { candidateSetId: 'x', index: -1 }],
  'ai.cancel': [{ all: true }],
  'models.packs': [{ all: 1 }],
  'models.fetch': [{}, { pack: 'sam-h' }, { pack: 'isnet-small', force: 'yes' }],
  'models.cancelFetch': [{}, { pack: 5 }],
  'models.add': [
    {},
    { paths: [] },
    { paths: [''] },
    { paths: new Array(9).fill('/a.onnx') },
    { paths: ['/a.onnx'], id: '../x' },
    { paths: ['/a.onnx'], force: 'yes' },
  ],
  'models.fetchUrl': [
    {},
    { urls: [] },
    { urls: ['not a url'] },
    { urls: ['https://a/b.onnx'], sha256: ['abc'] },
    { urls: ['https://a/1', 'https://a/2', 'https://a/3'] },
  ],
  'models.cancelAdd': [{ all: true }],
  'models.remove': [{}, { modelId: '' }, { modelId: 5 }],
  'models.links': [{ all: 1 }],
  'models.planImport': [{}, { path: '' }, { path: 5 }],
};

describe('dispatch', () => {
  for (const name of channelNames) {
    it(`refuses bad payloads for ${name} with a typed error and runs nothing`, async () => {
      const calls: ChannelName[] = [];
      const dispatch = createDispatch(recordingHandlers(calls));
      const cases = badPayloads[name];
      assert.ok(cases.length > 0, `no bad payloads listed for ${name}`);
      for (const payload of cases) {
        const result = await dispatch(name, payload);
        assert.equal(result.ok, false, `${name} accepted ${JSON.stringify(payload)}`);
        if (!result.ok) {
          assert.equal(result.error.code, 'bad_request');
          assert.match(result.error.message, new RegExp(`Invalid request for ${name.replace('.', '\\.')}`));
        }
      }
      assert.deepEqual(calls, []);
    });
  }

  it('names the failing field in the error path', async () => {
    const dispatch = createDispatch(recordingHandlers([]));
    const result = await dispatch('document.apply', {
      ops: [{ type: 'label.put', label: { id: 'l1', name: 'x', colour: '#fff', hotkey: null } }],
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.path, 'ops[0].label.colour');
  });

  it('refuses unknown channels', async () => {
    const calls: ChannelName[] = [];
    const result = await createDispatch(recordingHandlers(calls))('fs.deleteEverything', {});
    assert.deepEqual(result, { ok: false, error: { code: 'bad_request', message: 'Unknown channel "fs.deleteEverything"' } });
    assert.equal((await createDispatch(recordingHandlers(calls))('__proto__', {})).ok, false);
    // A channel that is no name at all is described, never serialised (5,000 levels once threw).
    let deep: unknown = [];
    for (let level = 0; level < 5000; level++) deep = [deep];
    assert.deepEqual(await createDispatch(recordingHandlers(calls))(deep, {}), {
      ok: false,
      error: { code: 'bad_request', message: 'Unknown channel (a list, not a name)' },
    });
    assert.deepEqual(calls, []);
  });

  it('runs the handler with defaults filled in and wraps its value', async () => {
    const seen: unknown[] = [];
    const handlers = {
      ...recordingHandlers([]),
      'images.list': (request: unknown) => (seen.push(request), { total: 0, items: [] }),
    } as Handlers;
    const result = await createDispatch(handlers)('images.list', {});
    assert.deepEqual(result, { ok: true, value: { total: 0, items: [] } });
    assert.deepEqual(seen, [{ offset: 0, limit: 500 }]);
  });

  it('turns thrown errors into typed failures without crashing', async () => {
    const errors: unknown[] = [];
    const handlers = {
      ...recordingHandlers([]),
      'labels.list': () => {
        throw new TypeError('boom');
      },
    } as Handlers;
    const result = await createDispatch(handlers, (error) => errors.push(error))('labels.list', {});
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, 'internal');
      assert.match(result.error.message, /boom/);
    }
    assert.equal(errors.length, 1);
  });
});
