// Issue 14's end-to-end check in browser mode: import a labelme folder and a
// YOLO dataset into the sample project through the toolbar, open the dataset
// view, click a bar to filter the image list, step through the matches with
// F, and export Pascal VOC and CVAT for images 1.1.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const skip = chromiumMissing();

/**
 * labelme 5 files for two sample images (sizes as the sample JPEGs have
 * them): a large and a small circle and a medium square rectangle on the
 * first, a small triangle-shaped "circle" polygon on the second.
 */
function writeLabelme(dir: string): void {
  const shape = (label: string, points: number[][], shape_type = 'polygon') => ({
    label,
    points,
    group_id: null,
    description: '',
    shape_type,
    flags: {},
    mask: null,
  });
  const file = (name: string, width: number, height: number, shapes: unknown[]) =>
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify(
        { version: '5.5.0', flags: {}, shapes, imagePath: `${name}.jpg`, imageData: null, imageHeight: height, imageWidth: width },
        null,
        2,
      ),
    );
  mkdirSync(dir, { recursive: true });
  file('shapes_0001', 590, 616, [
    shape('circle', [
      [100, 100],
      [200, 100],
      [200, 200],
      [100, 200],
    ]),
    shape('circle', [
      [10, 10],
      [20, 10],
      [20, 20],
      [10, 20],
    ]),
    shape(
      'square',
      [
        [300, 300],
        [350, 350],
      ],
      'rectangle',
    ),
  ]);
  file('shapes_0002', 582, 375, [
    shape('circle', [
      [50, 50],
      [90, 50],
      [90, 90],
    ]),
  ]);
}

/** An Ultralytics detection dataset, labels only: data.yaml with names, train and val splits. */
function writeYolo(dir: string): void {
  mkdirSync(join(dir, 'labels', 'train'), { recursive: true });
  mkdirSync(join(dir, 'labels', 'val'), { recursive: true });
  writeFileSync(join(dir, 'data.yaml'), 'path: .\ntrain: images/train\nval: images/val\nnames:\n  0: square\n  1: triangle\n');
  writeFileSync(join(dir, 'labels', 'train', 'shapes_0003.txt'), '1 0.5 0.5 0.2 0.2\n');
  writeFileSync(join(dir, 'labels', 'val', 'shapes_0004.txt'), '1 0.3 0.3 0.1 0.1\n0 0.6 0.6 0.2 0.2\n');
}

async function runDatasetForm(page: Page, mode: 'import' | 'export', format: string, path: string, done: RegExp): Promise<string> {
  await page.getByTestId(`${mode}-dataset`).click();
  await page.getByTestId('dataset-format').selectOption(format);
  await page.getByTestId('dataset-path').fill(path);
  await page.getByTestId('dataset-confirm').click();
  const toast = page.getByTestId('toast').filter({ hasText: done });
  await toast.first().waitFor({ timeout: 30_000 });
  return (await toast.first().textContent()) ?? '';
}

/** Clicks bar `index` of a plot where the user would: its centre on the canvas (data-bars), scrolled into view. */
async function clickBar(page: Page, chart: string, index: number): Promise<void> {
  const canvas = page.locator(`[data-testid="dataset-chart-${chart}"] canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const bars = JSON.parse((await canvas.getAttribute('data-bars')) ?? '[]') as [number, number][];
  const box = await canvas.boundingBox();
  assert.ok(box && bars[index], `${chart} has a bar ${index}`);
  await page.mouse.click(box.x + bars[index][0], box.y + bars[index][1]);
}

const listedNames = (page: Page) => page.getByTestId('image-item').evaluateAll((rows) => rows.map((row) => row.getAttribute('title')));
const currentName = (page: Page) => page.locator('[data-testid="image-item"].is-current').getAttribute('title');

describe('dataset formats, the dataset view and the review filter in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  const work = mkdtempSync(join(tmpdir(), 'promptlabel-e2e-datasets-'));
  const cspViolations: string[] = [];

  before(async () => {
    writeLabelme(join(work, 'labelme'));
    writeYolo(join(work, 'yolo'));
    session = await openBrowserSession({ images: 6 });
    page = session.page;
    // Chart.js must draw under the renderer's CSP (no eval, no injected styles): Chromium reports any violation here.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  after(async () => {
    if (page) await screenshot(page, 'datasetReview');
    await session?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('imports a labelme folder and a YOLO dataset from the toolbar', async () => {
    const labelme = await runDatasetForm(page, 'import', 'labelme', join(work, 'labelme'), /Imported/);
    assert.match(labelme, /Imported 4 annotations on 2 images \(2 new labels\)/);
    const yolo = await runDatasetForm(page, 'import', 'yolo', join(work, 'yolo', 'data.yaml'), /Imported 3/);
    assert.match(yolo, /Imported 3 annotations on 2 images \(1 new labels?\)/);
  });

  it('the dataset view plots the project, and a click on a bar filters the image list', async () => {
    await page.getByTestId('dataset-toggle').click();
    // Figures from before the imports may be drawn first (shown as updating); these are the ones counted since.
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-testid="dataset-view"]')?.dataset.current === '1' &&
        document.querySelectorAll('.chart-card canvas[data-ready="1"]').length === 6,
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await page.getByTestId('dataset-updating').count(), 0);
    await screenshot(page, 'datasetView');
    assert.match((await page.getByTestId('dataset-summary').textContent()) ?? '', /6 images · 7 annotations/);
    const labels = page.locator('[data-testid="dataset-chart-labels"] canvas');
    assert.equal(await labels.getAttribute('aria-label'), 'Instances per label: circle 3, square 2, triangle 2');
    const sizes = page.locator('[data-testid="dataset-chart-sizeClasses"] canvas');
    // Small: the 10×10 circle and the 800 px² polygon; medium: the 50×50 square and the YOLO triangles (49.4×63.6, 51.8×49.4);
    // large: the 100×100 circle and the YOLO square (103.6×98.8).
    assert.equal(
      await sizes.getAttribute('aria-label'),
      'Object size (COCO: small < 32², medium < 96², large): small 2, medium 3, large 2',
    );

    // Each plot saves as a PNG and its figures as CSV (browser downloads).
    const save = async (button: 'chart-png' | 'chart-csv') => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid="dataset-chart-labels"]').getByTestId(button).click(),
      ]);
      const file = join(work, download.suggestedFilename());
      await download.saveAs(file);
      return { name: download.suggestedFilename(), bytes: readFileSync(file) };
    };
    const csv = await save('chart-csv');
    assert.equal(csv.name, 'labels.csv');
    assert.equal(csv.bytes.toString('utf8'), 'label,instances,images\r\ncircle,3,2\r\nsquare,2,2\r\ntriangle,2,2\r\n');
    const png = await save('chart-png');
    assert.equal(png.name, 'labels.png');
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    assert.equal(JSON.parse((await labels.getAttribute('data-bars')) ?? '[]').length, 3);
    await clickBar(page, 'labels', 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-item"]').length === 2, undefined, { timeout: 15_000 });
    assert.deepEqual(await listedNames(page), ['shapes_0003.jpg', 'shapes_0004.jpg']);
    assert.equal(
      await page.getByTestId('filter-label').inputValue(),
      await page.locator('[data-testid="filter-label"] option', { hasText: 'triangle' }).getAttribute('value'),
    );

    // A click on another plot adds to the filter: small triangles (there are none); removing that condition brings them back.
    await clickBar(page, 'sizeClasses', 0);
    await page.getByText('No images match.').waitFor({ timeout: 15_000 });
    await page.getByTestId('filter-chip').filter({ hasText: 'area 0–1024' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-item"]').length === 2, undefined, { timeout: 15_000 });
  });

  it('F opens the next image matching the filter from the open one, and the annotation list shows the matching annotations', async () => {
    await page.getByTestId('dataset-close').click();
    await page.getByTestId('dataset-view').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid="image-item"].is-current').count(), 0, 'the open image is not in the filtered list');
    await page.keyboard.press('f');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="image-item"].is-current')?.getAttribute('title') === 'shapes_0003.jpg',
    );
    await page.keyboard.press('f');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="image-item"].is-current')?.getAttribute('title') === 'shapes_0004.jpg',
    );
    assert.equal(await currentName(page), 'shapes_0004.jpg');
    await page.getByTestId('annotation-count').filter({ hasText: '1 of 2 match the filter' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(
      await page.getByTestId('annotation-item').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-label-name'))),
      ['triangle'],
    );
    await page.keyboard.press('f');
    await page.getByTestId('toast').filter({ hasText: 'No later image matches the filter' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Shift+F');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="image-item"].is-current')?.getAttribute('title') === 'shapes_0003.jpg',
    );
    await page.getByTestId('filter-clear').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-item"]').length === 6, undefined, { timeout: 15_000 });
  });

  it('exports Pascal VOC and CVAT for images 1.1 with what was imported', async () => {
    const voc = join(work, 'voc');
    await runDatasetForm(page, 'export', 'voc', voc, /Exported/);
    const xmlFiles = readdirSync(join(voc, 'Annotations'));
    for (const name of ['shapes_0001.xml', 'shapes_0002.xml', 'shapes_0003.xml', 'shapes_0004.xml'])
      assert.ok(xmlFiles.includes(name), name);
    const fourth = readFileSync(join(voc, 'Annotations', 'shapes_0004.xml'), 'utf8');
    assert.equal(
      [...fourth.matchAll(/<name>(\w+)<\/name>/g)]
        .map((m) => m[1])
        .sort()
        .join(','),
      'square,triangle',
    );

    const cvat = join(work, 'cvat');
    await runDatasetForm(page, 'export', 'cvat', cvat, /Exported/);
    const xml = readFileSync(join(cvat, 'annotations.xml'), 'utf8');
    assert.match(xml, /<version>1\.1<\/version>/);
    assert.equal((xml.match(/<(box|polygon|mask) /g) ?? []).length, 7);
    for (const name of ['circle', 'square', 'triangle']) assert.match(xml, new RegExp(`<name>${name}</name>`));
  });

  it('drew every plot without a Content-Security-Policy violation', () => {
    assert.deepEqual(cspViolations, []);
  });
});
