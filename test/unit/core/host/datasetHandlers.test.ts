// The review channels through the real host dispatch (validation, defaults,
// the handler map): the figures, the filtered list, the next match, the
// matching annotations, and the refusals that change nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { DatasetStats, ImageNeighbour, ImagePage } from '../../../../common/contract/index.js';
import { createHost } from '../../../../core/host/createHost.js';
import { boxAnnotation, tempDir, writeImage } from '../store/fixtures.js';

describe('review channels', () => {
  const project = tempDir();
  const userDataDir = mkdtempSync(join(tmpdir(), 'promptlabel-review-host-'));
  const host = createHost({ mode: 'browser', userDataDir });
  const call = async <T>(channel: Parameters<typeof host.dispatch>[0], request: unknown): Promise<T> => {
    const result = await host.dispatch(channel, request);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };

  before(async () => {
    for (const name of ['a', 'b', 'c']) await writeImage(project.dir, `${name}.png`, 50, 50);
    await call('project.open', { dir: project.dir });
    const ops = [
      { type: 'label.put', label: { id: 'cat', name: 'cat', colour: '#ff0000', hotkey: null } },
      { type: 'annotation.put', annotation: boxAnnotation(1, 'cat', { id: 'a1', score: 0.7, source: 'yolo' }) },
      { type: 'annotation.put', annotation: boxAnnotation(1, null, { id: 'a2' }) },
      { type: 'annotation.put', annotation: boxAnnotation(3, null, { id: 'c1' }) },
    ];
    await call('document.apply', { ops });
  });
  after(() => {
    host.session.close();
    project.cleanup();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('answers the figures and filters the list, the next match and the annotations in SQL', async () => {
    const stats = await call<DatasetStats>('dataset.stats', {});
    assert.equal(stats.current, true);
    assert.equal(stats.images, 3);
    assert.equal(stats.annotations, 3);
    assert.deepEqual(
      stats.labels.map((row) => [row.name, row.instances, row.images]),
      [
        ['cat', 1, 1],
        ['(unlabeled)', 2, 2],
      ],
    );
    const unlabeled = await call<ImagePage>('images.list', { filter: { labelId: null } });
    assert.deepEqual(
      unlabeled.items.map((image) => image.relPath),
      ['a.png', 'c.png'],
    );
    const scored = await call<ImagePage>('images.list', { filter: { minScore: 0.5, origin: { kind: 'source', source: 'yolo' } } });
    assert.deepEqual(
      scored.items.map((image) => image.relPath),
      ['a.png'],
    );
    assert.deepEqual(await call<ImageNeighbour | null>('images.neighbour', { fromImageId: 1, direction: 1, filter: { labelId: null } }), {
      imageId: 3,
      index: 1,
    });
    assert.deepEqual(await call<string[]>('annotations.matching', { imageId: 1, filter: { labelId: null } }), ['a2']);
  });

  it('refuses an upside-down range or an unknown image, naming the field, and changes nothing', async () => {
    const range = await host.dispatch('images.list', { filter: { minScore: 0.8, maxScore: 0.2 } });
    assert.equal(range.ok, false);
    if (!range.ok) {
      assert.equal(range.error.code, 'bad_request');
      assert.match(range.error.path ?? '', /maxScore/);
    }
    const missing = await host.dispatch('annotations.matching', { imageId: 99, filter: {} });
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.equal(missing.error.code, 'not_found');
    const soon = await host.dispatch('dataset.stats', { whileCounting: 'soon' });
    assert.equal(soon.ok, false);
    if (!soon.ok) assert.match(soon.error.path ?? '', /whileCounting/);
    assert.equal((await call<DatasetStats>('dataset.stats', {})).annotations, 3);
  });

  it('after an edit through the host: the last figures marked not current, then the current ones', async () => {
    await call<DatasetStats>('dataset.stats', {});
    await call('document.apply', { ops: [{ type: 'image.status', imageId: 2, status: 'done' }] });
    const last = await call<DatasetStats>('dataset.stats', { whileCounting: 'last' });
    assert.equal(last.current, false);
    assert.equal(last.statuses.find((row) => row.status === 'done')?.images, 0);
    const fresh = await call<DatasetStats>('dataset.stats', { whileCounting: 'wait' });
    assert.equal(fresh.current, true);
    assert.equal(fresh.statuses.find((row) => row.status === 'done')?.images, 1);
  });
});
