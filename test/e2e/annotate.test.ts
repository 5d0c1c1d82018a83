// The whole manual-labeling flow in browser mode, as a labeler does it:
// open, draw, label, undo/redo, reload, survive a killed host, export COCO.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { clickImage, dragImage, waitForImage } from './support/canvas.js';
import { startHost } from './support/host.js';
import type { CocoFile } from './support/sampleTruth.js';
import { type BrowserSession, startBrowserSession } from './support/session.js';

const skip = chromiumMissing();

describe('manual annotation in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;

  before(async () => {
    session = await startBrowserSession({ images: 4 });
    page = session.page;
  });
  after(() => session?.close());

  const annotationItems = () => page.getByTestId('annotation-item');
  const labelsOf = async () =>
    (await annotationItems().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-label-name') ?? ''))).sort();

  it('opens the project and shows its images', async () => {
    await page.goto(session.host.url);
    await page.getByTestId('image-item').first().waitFor();
    assert.equal(await page.getByTestId('image-item').count(), 4);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await screenshot(page, 'annotate-01-opened');
  });

  it('creates labels, draws a polygon and a box with them', async () => {
    for (const name of ['red circle', 'blue square']) {
      await page.getByTestId('label-new-name').fill(name);
      await page.getByTestId('label-add').click();
      await page.locator(`[data-testid="label-item"][data-label-name="${name}"]`).waitFor();
    }
    // Label 1 active, polygon of four vertices closed with Enter.
    await page.keyboard.press('1');
    await page.getByTestId('tool-polygon').click();
    for (const [x, y] of [
      [20, 20],
      [90, 25],
      [85, 80],
      [25, 75],
    ] as const)
      await clickImage(page, x, y);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="annotation-item"][data-kind="polygon"]').waitFor();

    // The new polygon is selected, and a label hotkey would relabel it:
    // clear the selection first, then make label 2 active for the box.
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await page.getByTestId('tool-box').click();
    await dragImage(page, [100, 40], [160, 120]);
    await page.locator('[data-testid="annotation-item"][data-kind="box"]').waitFor();
    assert.deepEqual(await labelsOf(), ['blue square', 'red circle']);
    // What the status bar calls saved is what must survive a killed host below.
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
    await screenshot(page, 'annotate-02-drawn');
  });

  it('undoes and redoes document changes', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 1);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 0);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 2);
    assert.deepEqual(await labelsOf(), ['blue square', 'red circle']);
  });

  it('keeps everything after a page reload', async () => {
    await page.reload();
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 2);
    assert.deepEqual(await labelsOf(), ['blue square', 'red circle']);
  });

  it('keeps everything acknowledged when the host process is killed', async () => {
    await session.host.stop('SIGKILL');
    session.host = await startHost(session.project, session.userData);
    await page.goto(session.host.url);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 2);
    assert.deepEqual(await labelsOf(), ['blue square', 'red circle']);
    await screenshot(page, 'annotate-03-after-kill');
  });

  it('exports COCO with the drawn geometry and labels', async () => {
    await page.getByTestId('export-coco').click();
    await page.getByTestId('toast').filter({ hasText: '.json' }).waitFor({ timeout: 20_000 });
    const exportsDir = join(session.project, 'exports');
    const file = readdirSync(exportsDir).find((name) => name.endsWith('.json') && !name.includes('captions'));
    assert.ok(file, `no export in ${exportsDir}`);
    const coco = JSON.parse(readFileSync(join(exportsDir, file), 'utf8')) as CocoFile;
    const categoryName = (id: number) => coco.categories.find((category) => category.id === id)?.name;
    assert.equal(coco.images.length, 4);
    assert.equal(coco.annotations.length, 2);
    const polygon = coco.annotations.find((a) => categoryName(a.category_id) === 'red circle');
    const box = coco.annotations.find((a) => categoryName(a.category_id) === 'blue square');
    assert.ok(polygon && box);
    const near = (actual: number[], expected: number[]) =>
      actual.every((value, index) => Math.abs(value - (expected[index] ?? NaN)) <= 1.5) || assert.fail(`${actual} is not near ${expected}`);
    near(polygon.bbox, [20, 20, 70, 60]);
    near(box.bbox, [100, 40, 60, 80]);
    assert.ok(Math.abs(box.area - 60 * 80) < 250, `box area ${box.area}`);
    assert.ok(Array.isArray(polygon.segmentation) && polygon.segmentation[0]?.length === 8);
  });
});
