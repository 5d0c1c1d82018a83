// The other manual tools and panels in browser mode, checked against what
// the host stored: move with one undo step, brush and eraser on a mask,
// delete and restore, hide, image navigation, shortcuts, zoom, status filter.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import type { Annotation } from '../../common/contract/index.js';
import { measureGeometry } from '../../common/geometry/measure.js';
import { chromiumMissing, screenshot } from './support/browser.js';
import { dragImage, waitForImage } from './support/canvas.js';
import { hostCall } from './support/hostCall.js';
import { groundTruth } from './support/sampleTruth.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const skip = chromiumMissing();

describe('manual tools and panels in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  let project: string;

  before(async () => {
    session = await openBrowserSession({ images: 3, labels: ['thing'] });
    ({ page, project } = session);
    await page.keyboard.press('1');
  });
  after(() => session?.close());

  const currentImageId = async () => Number(await page.getByTestId('canvas').getAttribute('data-image-id'));
  const stored = async (): Promise<Annotation[]> => hostCall(page, 'annotations.list', { imageId: await currentImageId() });
  /** Polls the host until `check` holds (the renderer applies locally first, then sends). */
  const storedWhen = async (check: (annotations: Annotation[]) => boolean, what: string): Promise<Annotation[]> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const annotations = await stored();
      if (check(annotations)) return annotations;
      if (Date.now() > deadline) assert.fail(`${what}; host holds ${JSON.stringify(annotations.map((a) => a.geometry))}`);
      await page.waitForTimeout(100);
    }
  };
  const boxOf = (annotations: Annotation[]) => {
    const geometry = annotations.find((a) => a.geometry.kind === 'box')?.geometry;
    return geometry?.kind === 'box' ? geometry.box : undefined;
  };
  const near = (a: number, b: number) => Math.abs(a - b) <= 1.5;

  it('moves a box with the select tool, and one undo takes back the whole drag', async () => {
    await page.keyboard.press('r');
    await dragImage(page, [40, 40], [120, 100]);
    await storedWhen((a) => {
      const b = boxOf(a);
      return !!b && near(b.x, 40) && near(b.y, 40) && near(b.w, 80) && near(b.h, 60);
    }, 'box drawn at (40,40) 80×60');
    await page.keyboard.press('v');
    await dragImage(page, [80, 70], [130, 100]);
    await storedWhen((a) => {
      const b = boxOf(a);
      return !!b && near(b.x, 90) && near(b.y, 70) && near(b.w, 80);
    }, 'box moved by (50,30)');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await storedWhen((a) => {
      const b = boxOf(a);
      return !!b && near(b.x, 40) && near(b.y, 40);
    }, 'one undo restores the box before the drag');
    await page.keyboard.press('Control+Shift+z');
    await storedWhen((a) => {
      const b = boxOf(a);
      return !!b && near(b.x, 90) && near(b.y, 70);
    }, 'redo moves it again');
  });

  it('paints a mask with the brush and cuts it with the eraser', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('b');
    await dragImage(page, [200, 250], [320, 250]);
    const painted = await storedWhen((a) => a.some((x) => x.geometry.kind === 'mask'), 'a mask from the brush stroke');
    const mask = painted.find((a) => a.geometry.kind === 'mask')!;
    const before = measureGeometry(mask.geometry);
    assert.ok(before.bbox[0] < 200 && before.bbox[0] + before.bbox[2] > 320, `stroke spans x 200–320: bbox ${before.bbox}`);
    assert.ok(before.area > 120 * 4, `area ${before.area}`);
    await page.keyboard.press('e');
    await dragImage(page, [260, 200], [260, 300]);
    const cut = await storedWhen((a) => {
      const m = a.find((x) => x.id === mask.id);
      return !!m && measureGeometry(m.geometry).area < before.area;
    }, 'the eraser removes pixels from the same mask');
    assert.equal(cut.filter((a) => a.geometry.kind === 'mask').length, 1);
    await screenshot(page, 'tools-01-mask');
  });

  it('deletes from the annotation list, undoes the delete, and hides without deleting', async () => {
    await page.keyboard.press('v');
    const boxRow = page.locator('[data-testid="annotation-item"][data-kind="box"]');
    await boxRow.getByTestId('annotation-delete').click();
    await storedWhen((a) => a.length === 1 && a[0]!.geometry.kind === 'mask', 'the box is deleted');
    await page.keyboard.press('Control+z');
    await storedWhen((a) => a.length === 2, 'undo brings the box back');
    await boxRow.getByTestId('annotation-visibility').click();
    await page.locator('[data-testid="annotation-item"][data-kind="box"].is-hidden').waitFor();
    assert.equal((await stored()).length, 2, 'hiding is a view setting, not an edit');
    await boxRow.getByTestId('annotation-visibility').click();
  });

  it('steps through images with D / A and the arrow keys', async () => {
    const first = await currentImageId();
    await page.keyboard.press('d');
    await page.waitForSelector(`[data-testid="canvas"][data-ready="1"]:not([data-image-id="${first}"])`);
    const second = await currentImageId();
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`[data-testid="canvas"][data-ready="1"]:not([data-image-id="${second}"]):not([data-image-id="${first}"])`);
    await page.keyboard.press('a');
    await waitForImage(page, second);
    await page.keyboard.press('ArrowLeft');
    await waitForImage(page, first);
  });

  it('opens the shortcut list with ? and closes it with Esc', async () => {
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts').waitFor();
    assert.match((await page.getByTestId('shortcuts').textContent()) ?? '', /Undo/);
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts').waitFor({ state: 'detached' });
  });

  it('zooms to 1:1 and back to fit', async () => {
    const scale = async () => Number(await page.getByTestId('canvas').getAttribute('data-scale'));
    await page.getByTestId('zoom-actual').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="canvas"]')?.getAttribute('data-scale') === '1');
    await page.getByTestId('zoom-fit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="canvas"]')?.getAttribute('data-scale') !== '1');
    assert.ok((await scale()) > 0);
  });

  it('marks an image done and filters the list by status', async () => {
    await page.getByTestId('image-item').nth(2).getByTestId('image-status').selectOption('done');
    await page.getByTestId('image-filter').selectOption('done');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-item"]').length === 1);
    const done = await hostCall(page, 'images.list', { status: 'done' });
    assert.equal(done.total, 1);
    await page.getByTestId('image-filter').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-item"]').length === 3);
  });

  it('renames and recolours a label, relabels an annotation, and hides a label', async () => {
    const row = page.getByTestId('label-item').first(); // its data-label-name changes with the rename
    assert.equal(await row.getAttribute('data-label-name'), 'thing');
    await row.locator('.label-name').fill('object');
    await row.locator('.label-name').press('Enter');
    await row.locator('input[type="color"]').fill('#00aa55');
    const deadline = Date.now() + 10_000;
    let labels = await hostCall(page, 'labels.list', {});
    while (!(labels[0]?.name === 'object' && labels[0].colour === '#00aa55') && Date.now() < deadline) {
      await page.waitForTimeout(100);
      labels = await hostCall(page, 'labels.list', {});
    }
    assert.deepEqual(
      labels.map((l) => [l.name, l.colour]),
      [['object', '#00aa55']],
    );

    await page.getByTestId('label-new-name').fill('other');
    await page.getByTestId('label-add').click();
    const other = page.locator('[data-testid="label-item"][data-label-name="other"]');
    await other.waitFor();
    const box = page.locator('[data-testid="annotation-item"][data-kind="box"]');
    await box.getByTestId('annotation-label').selectOption({ label: 'other' });
    const otherId = (await hostCall(page, 'labels.list', {})).find((l) => l.name === 'other')!.id;
    await storedWhen((a) => a.find((x) => x.geometry.kind === 'box')?.labelId === otherId, 'the box carries the new label');

    await other.getByTestId('label-visibility').click();
    await page.locator('[data-testid="annotation-item"][data-kind="box"].is-hidden').waitFor();
    assert.equal(await page.locator('[data-testid="annotation-item"][data-kind="mask"].is-hidden').count(), 0, 'only that label is hidden');
    await other.getByTestId('label-visibility').click();
    await page.locator('[data-testid="annotation-item"][data-kind="box"]:not(.is-hidden)').waitFor();
  });

  it('refuses a COCO file that names images outside the project, changing nothing, then imports a valid one', async () => {
    const samples = groundTruth();
    const labelsBefore = await hostCall(page, 'labels.list', {});
    const whole = join(project, '..', `${project.split('/').pop()}-all.json`);
    writeFileSync(whole, JSON.stringify(samples));
    await page.getByTestId('import-coco').click();
    await page.getByTestId('import-path').fill(whole);
    await page.getByTestId('import-confirm').click();
    const refusal = page.locator('[data-testid="toast"][data-kind="error"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /images\[3\]/, 'the message names the offending entry');
    assert.deepEqual(await hostCall(page, 'labels.list', {}), labelsBefore, 'nothing written');

    const ours = samples.images.slice(0, 3).map((image) => image.id);
    const subset = {
      ...samples,
      images: samples.images.slice(0, 3),
      annotations: samples.annotations.filter((a) => ours.includes(a.image_id)),
    };
    const valid = join(project, '..', `${project.split('/').pop()}-subset.json`);
    writeFileSync(valid, JSON.stringify(subset));
    await page.getByTestId('import-path').fill(valid);
    await page.getByTestId('import-confirm').click();
    await page
      .locator('[data-testid="toast"]')
      .filter({ hasText: `Imported ${subset.annotations.length} annotations` })
      .waitFor();
    const images = await hostCall(page, 'images.list', {});
    const counts = images.items.map((image) => image.annotationCount).reduce((a, b) => a + b, 0);
    assert.equal(counts, subset.annotations.length + 2, 'the imported annotations join the two drawn ones');
    assert.ok(
      (await hostCall(page, 'labels.list', {})).some((l) => l.name === 'object'),
      'existing labels are kept',
    );
    await screenshot(page, 'tools-02-imported');

    // The same file again: what is already there is skipped by default, and the toast says so.
    await page.getByTestId('import-coco').click();
    assert.equal(await page.getByTestId('import-duplicates').inputValue(), 'skip');
    await page.getByTestId('import-path').fill(valid);
    await page.getByTestId('import-confirm').click();
    await page
      .locator('[data-testid="toast"]')
      .filter({ hasText: `Imported 0 annotations` })
      .filter({ hasText: `${subset.annotations.length} annotations were already in the project: skipped.` })
      .waitFor();
    const again = (await hostCall(page, 'images.list', {})).items.map((image) => image.annotationCount).reduce((a, b) => a + b, 0);
    assert.equal(again, counts, 'nothing was added twice');

    // Export options: boxes as a bare bbox, for Detectron2-style loaders.
    await page.getByTestId('export-coco-options').click();
    await page.getByTestId('export-options').getByLabel('Boxes').selectOption('bbox');
    await page.getByTestId('export-coco').click();
    const exported = page.locator('[data-testid="toast"]').filter({ hasText: 'Exported' });
    await exported.waitFor();
    const path = /to (\S+\.json)/.exec((await exported.textContent()) ?? '')?.[1];
    assert.ok(path, 'the message names the file');
    const coco = JSON.parse(readFileSync(path, 'utf8')) as { annotations: { segmentation: unknown; bbox: number[] }[] };
    assert.ok(
      coco.annotations.some((a) => Array.isArray(a.segmentation) && a.segmentation.length === 0),
      'the drawn box is a bbox with an empty segmentation',
    );
  });
});
