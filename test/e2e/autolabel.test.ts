// Auto-labeling and reviewing in browser mode, as a labeling team does it on
// the sample project with the built-in demo model: start a by-name job for
// the project's labels, watch its progress bar reach the end, open an image,
// accept one proposal (Y) and reject one (X), accept all above a threshold
// (one undo step), export COCO (only the accepted ones, with their labels'
// categories), and at 1280×720 the review column still shows the proposal's
// and the AI candidate's Accept and the annotation list.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Locator, Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { clickImage, waitForImage } from './support/canvas.js';
import type { CocoFile } from './support/sampleTruth.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const skip = chromiumMissing();

/** Objects of the first two sample images (assets/samples/annotations.coco.json), and "sand" as stuff. */
const LABELS = ['yellow star', 'purple hexagon', 'red cross', 'red square', 'purple square', 'sand'];

/** Sets a range input as a user dragging it would (React hears the input event). */
async function setRange(slider: Locator, value: number): Promise<void> {
  await slider.evaluate((element, v) => {
    const input = element as HTMLInputElement;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function numberAttribute(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/** Whether the element is in view: its box within the viewport, and its centre not hidden by a scroll box or anything on top. */
async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  if (box === null || box.height <= 0 || box.y < 0 || box.x < 0 || box.y + box.height > size.height || box.x + box.width > size.width)
    return false;
  return locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    const top = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    return top !== null && (element === top || element.contains(top));
  });
}

describe('auto-label and review in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;

  before(async () => {
    session = await openBrowserSession({ images: 3, labels: LABELS });
    page = session.page;
  });
  after(async () => {
    await session?.close();
  });

  const reviewPanel = () => page.getByTestId('review-panel');
  const annotations = () => page.getByTestId('annotation-item');
  const firstImageStatus = () => page.locator('[data-testid="image-item"][data-image-id="1"] [data-testid="image-status"]');

  it('opening an image leaves it to do; a label can be marked stuff', async () => {
    assert.equal(await firstImageStatus().inputValue(), 'todo', 'opening is not editing');
    const sand = page.locator('[data-testid="label-item"][data-label-name="sand"] [data-testid="label-stuff"]');
    await sand.click();
    await page.locator('[data-testid="label-item"][data-label-name="sand"] [data-testid="label-stuff"][data-stuff="1"]').waitFor();
    assert.equal(await firstImageStatus().inputValue(), 'todo', 'a label change is not an edit of the image');
  });

  it('starts a by-name job for every label, and its progress bar counts the images to the end', async () => {
    await page.getByTestId('autolabel-open').click();
    const dialog = page.getByTestId('autolabel-dialog');
    await dialog.waitFor();
    const byName = dialog.locator('[data-testid="autolabel-source"][data-source="names"][data-available="1"]');
    await byName.waitFor();
    await byName.click();
    await setRange(dialog.getByTestId('autolabel-min-score'), 0.3);
    await dialog.getByTestId('autolabel-start').click();
    await dialog.waitFor({ state: 'detached' });

    const progress = page.getByTestId('autolabel-section').getByTestId('job-progress');
    await progress.waitFor();
    assert.equal(await numberAttribute(progress, 'data-total'), 3);
    const seen = new Set<number>();
    const figuresSeen = new Set<string>();
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      seen.add(await numberAttribute(progress, 'data-done'));
      figuresSeen.add((await progress.getByTestId('job-figures').textContent()) ?? '');
      if ((await progress.getAttribute('data-state')) !== 'running') break;
      await page.waitForTimeout(100);
    }
    assert.equal(await progress.getAttribute('data-state'), 'done', (await progress.textContent()) ?? undefined);
    assert.equal(await numberAttribute(progress, 'data-done'), 3);
    assert.ok(seen.size >= 2, `the bar moved (saw done = ${[...seen].join(', ')})`);
    const figures = (await progress.getByTestId('job-figures').textContent()) ?? '';
    assert.match(figures, /3 \/ 3 images/);
    assert.ok(
      [...figuresSeen].some((text) => /images\/s/.test(text) && /left/.test(text)),
      `while running, the rate and the time left show (saw: ${[...figuresSeen].join(' | ')})`,
    );
    assert.match(figures, /images\/s/, 'the last rate stays once done');
    await screenshot(page, 'autolabel-01-job-done');
    // The image list marks the images that have proposals to review.
    assert.ok((await page.getByTestId('proposal-mark').count()) > 0, 'images with proposals are marked in the list');
  });

  let acceptedLabels: string[] = [];

  it('on the open image: Y accepts the selected proposal, X rejects the next, each one undo step; the image starts', async () => {
    await waitForImage(page, 1);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="review-panel"]')?.getAttribute('data-count')) >= 3,
      null,
      {
        timeout: 20_000,
      },
    );
    await setRange(page.getByTestId('review-threshold'), 0);
    const before = await numberAttribute(reviewPanel(), 'data-count');
    assert.equal(await annotations().count(), 0);
    const selected = page.getByTestId('proposal-actions');
    await selected.waitFor();
    const acceptedName = await page.getByTestId('proposal-label').locator('option:checked').textContent();
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('y');
    await annotations().first().waitFor();
    assert.equal(await annotations().count(), 1);
    assert.equal(await annotations().first().getAttribute('data-label-name'), acceptedName?.replace(/^\d · /, ''));
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="review-panel"]')?.getAttribute('data-count')) === n,
      before - 1,
    );
    assert.equal(await firstImageStatus().inputValue(), 'in_progress', 'reviewing starts the image');

    const rejectedId = await selected.getAttribute('data-proposal-id');
    await page.keyboard.press('x');
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="review-panel"]')?.getAttribute('data-count')) === n,
      before - 2,
    );
    assert.equal(await page.locator(`[data-testid="proposal-item"][data-proposal-id="${rejectedId}"]`).count(), 0);
    assert.equal(await annotations().count(), 1, 'a rejection adds nothing');

    // Undo brings the rejected proposal back; redo rejects it again.
    await page.keyboard.press('Control+z');
    await page.locator(`[data-testid="proposal-item"][data-proposal-id="${rejectedId}"]`).waitFor();
    await page.keyboard.press('Control+Shift+z');
    await page.locator(`[data-testid="proposal-item"][data-proposal-id="${rejectedId}"]`).waitFor({ state: 'detached' });
    await screenshot(page, 'autolabel-02-reviewed');
  });

  it('accepts all above the threshold on this image as one undo step', async () => {
    const scores = (
      await page.getByTestId('proposal-item').evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-score'))))
    ).sort();
    assert.ok(scores.length >= 1, 'proposals are left to accept');
    // Halfway between two scores when there are two, so some stay below.
    const threshold = scores.length >= 2 ? (scores[Math.floor(scores.length / 2) - 1]! + scores[Math.floor(scores.length / 2)]!) / 2 : 0;
    const above = scores.filter((s) => s >= threshold).length;
    const below = scores.length - above;
    await setRange(page.getByTestId('review-threshold'), Number(threshold.toFixed(2)));
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="review-panel"]')?.getAttribute('data-shown')) === n,
      above,
    );
    const accepted = await annotations().count();
    await page.getByTestId('review-accept-image').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, accepted + above);
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="review-panel"]')?.getAttribute('data-count')) === n,
      below,
    );

    // One undo step takes them all back, and redo accepts them again.
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, accepted);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, accepted + above);
    acceptedLabels = (await annotations().evaluateAll((items) => items.map((i) => i.getAttribute('data-label-name') ?? ''))).sort();
    await screenshot(page, 'autolabel-03-accepted-all');
  });

  it('COCO export holds the accepted annotations only, with their categories', async () => {
    await page.getByTestId('export-coco').click();
    const toast = page.getByTestId('toast').filter({ hasText: '.json' });
    await toast.waitFor({ timeout: 20_000 });
    const [toastBox, column] = await Promise.all([toast.boundingBox(), page.getByTestId('side-column').boundingBox()]);
    assert.ok(toastBox && column && toastBox.x + toastBox.width <= column.x, 'the toast is over the canvas, not over the review column');
    const exportsDir = join(session.project, 'exports');
    const file = readdirSync(exportsDir).find(
      (name) => name.endsWith('.json') && !name.includes('captions') && !name.startsWith('results'),
    );
    assert.ok(file, `no export in ${exportsDir}`);
    const coco = JSON.parse(readFileSync(join(exportsDir, file), 'utf8')) as CocoFile;
    const categoryName = (id: number) => coco.categories.find((category) => category.id === id)?.name ?? '';
    assert.deepEqual(coco.annotations.map((a) => categoryName(a.category_id)).sort(), acceptedLabels);
    assert.ok(
      coco.annotations.every((a) => coco.images.find((i) => i.id === a.image_id)?.file_name === 'shapes_0001.jpg'),
      'only the reviewed image has annotations',
    );
  });

  it('Export results writes the proposals still waiting as COCO results; Import results reads them back into the queue', async () => {
    const waiting = await page
      .getByTestId('proposal-mark')
      .evaluateAll((marks) => marks.reduce((n, m) => n + Number(m.getAttribute('data-count')), 0));
    await page.getByTestId('export-results').click();
    const toast = page.getByTestId('toast').filter({ hasText: 'results on' });
    await toast.waitFor({ timeout: 20_000 });
    const path = /to (\S+\.json)/.exec((await toast.textContent()) ?? '')?.[1];
    assert.ok(path, 'the toast names the file');
    const results = JSON.parse(readFileSync(path, 'utf8')) as {
      image_id: number;
      category_id: number;
      score: number;
      category_name: string;
    }[];
    assert.equal(results.length, waiting, 'one result per waiting proposal (all have a label here)');
    assert.ok(results.every((r) => r.score > 0 && r.score <= 1 && LABELS.includes(r.category_name)));
    // Read back: each becomes a proposal again (the same image and label), so the waiting count doubles.
    await page.getByTestId('import-results').click();
    await page.getByTestId('import-results-path').fill(path);
    await page.getByTestId('import-results-confirm').click();
    await page
      .getByTestId('toast')
      .filter({ hasText: `Imported ${waiting} proposals` })
      .waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="proposal-mark"]')].reduce(
          (sum, m) => sum + Number(m.getAttribute('data-count')),
          0,
        ) === n,
      2 * waiting,
    );
  });

  it('accepts all above the threshold in the whole folder as one undo step', async () => {
    const waiting = () =>
      page.getByTestId('proposal-mark').evaluateAll((marks) => marks.reduce((n, m) => n + Number(m.getAttribute('data-count')), 0));
    const annotated = () =>
      page
        .getByTestId('image-item')
        .evaluateAll((rows) => rows.reduce((n, r) => n + Number(/(\d+) ann\./.exec(r.textContent ?? '')?.[1] ?? 0), 0));
    const [waitingBefore, annotatedBefore] = [await waiting(), await annotated()];
    await setRange(page.getByTestId('review-threshold'), 0.55);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('review-accept-folder').click();
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="proposal-mark"]')].reduce((s, m) => s + Number(m.getAttribute('data-count')), 0) < n,
      waitingBefore,
    );
    const accepted = waitingBefore - (await waiting());
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="image-item"]')].reduce(
          (s, r) => s + Number(/(\d+) ann\./.exec(r.textContent ?? '')?.[1] ?? 0),
          0,
        ) === n,
      annotatedBefore + accepted,
    );
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="proposal-mark"]')].reduce((s, m) => s + Number(m.getAttribute('data-count')), 0) === n,
      waitingBefore,
    );
    assert.equal(await annotated(), annotatedBefore, 'one undo takes every image’s accepted proposals back');
  });

  it('an accepted annotation is marked an example of its label (one undo step)', async () => {
    const first = annotations().first();
    await first.getByTestId('annotation-example').click();
    await page.locator('[data-testid="annotation-item"][data-example="1"]').waitFor();
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Control+z');
    await page.locator('[data-testid="annotation-item"][data-example="1"]').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await page.locator('[data-testid="annotation-item"][data-example="1"]').waitFor();
  });

  it('a by-example job runs from the marked example to the end', async () => {
    const example = await page.locator('[data-testid="annotation-item"][data-example="1"]').first().getAttribute('data-label-name');
    await page.getByTestId('autolabel-open').click();
    const dialog = page.getByTestId('autolabel-dialog');
    const byExample = dialog.locator('[data-testid="autolabel-source"][data-source="examples"][data-available="1"]');
    await byExample.waitFor();
    await byExample.click();
    await dialog.getByTestId('autolabel-all-labels').uncheck();
    await dialog.locator(`[data-testid="autolabel-label"][data-label-name="${example}"] input`).check();
    await dialog.getByTestId('autolabel-start').click();
    await dialog.waitFor({ state: 'detached' });
    const progress = page.getByTestId('autolabel-section').getByTestId('job-progress');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="autolabel-section"] [data-testid="job-progress"]')?.getAttribute('data-state') !== 'running',
      null,
      { timeout: 240_000 },
    );
    assert.equal(await progress.getAttribute('data-state'), 'done', (await progress.textContent()) ?? undefined);
    assert.match((await progress.textContent()) ?? '', /By example/);
    assert.equal(await numberAttribute(progress, 'data-done'), 3);
  });

  it('the side column folds a pane to its heading and drags the share between two, and keeps both across a reload', async () => {
    const pane = (id: string) => page.locator(`[data-testid="side-pane"][data-pane="${id}"]`);
    // Tight enough that the panes cannot all show everything they hold.
    await page.setViewportSize({ width: 1280, height: 720 });
    await pane('captions')
      .locator('h2')
      .first()
      .click({ position: { x: 40, y: 8 } });
    await page.locator('[data-testid="side-pane"][data-pane="captions"][data-open="0"]').waitFor();
    const height = async (id: string) => (await pane(id).boundingBox())!.height;
    const [labelsBefore, annotationsBefore] = [await height('labels'), await height('annotations')];
    const splitter = page.locator('.side-pane-slot:has([data-pane="labels"]) > [data-testid="side-splitter"]');
    const handle = (await splitter.boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + 32, { steps: 5 });
    await page.mouse.up();
    const after = await height('labels');
    assert.ok(
      after > labelsBefore + 25,
      `dragging the bar below the labels down by 30 px grew their pane from ${labelsBefore} to ${after} px`,
    );
    const annotationsAfter = await height('annotations');
    assert.ok(annotationsAfter < annotationsBefore - 25, `and shrank the annotations' from ${annotationsBefore} to ${annotationsAfter} px`);
    await page.reload();
    await page.getByTestId('image-item').first().click();
    await waitForImage(page, 1);
    assert.equal(await pane('captions').getAttribute('data-open'), '0', 'the folded pane stays folded');
    const reloaded = (await pane('labels').boundingBox())!.height;
    assert.ok(Math.abs(reloaded - after) < 4, `the share is kept (${after} → ${reloaded} px)`);
    await pane('captions')
      .locator('h2')
      .first()
      .click({ position: { x: 40, y: 8 } });
    await page.locator('[data-testid="side-pane"][data-pane="captions"][data-open="1"]').waitFor();
  });

  it('at 1280×720 the pinned proposal and AI candidate with their Accept, and the annotation list, are in view', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    // The next image with proposals (J) has a proposal selected.
    await page.keyboard.press('j');
    await waitForImage(page, 2);
    await page.getByTestId('proposal-accept').waitFor();
    assert.ok(await inViewport(page, page.getByTestId('proposal-accept')), 'the proposal’s Accept is in view');
    assert.ok(await inViewport(page, page.getByTestId('proposal-reject')), 'the proposal’s Reject is in view');
    await page.keyboard.press('y');
    await annotations().first().waitFor();
    assert.ok(await inViewport(page, annotations().first()), 'the annotation list is in view');
    await screenshot(page, 'autolabel-04-1280x720-review');

    // The AI tool with a candidate on screen: its Accept is in view too, and the list still is.
    await page.keyboard.press('i');
    await page.getByTestId('prompt-panel').waitFor();
    await clickImage(page, 60, 60);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="prompt-panel"]')?.getAttribute('data-candidate-count')) > 0,
      null,
      {
        timeout: 30_000,
      },
    );
    assert.ok(await inViewport(page, page.getByTestId('ai-accept')), 'the AI Accept is in view');
    assert.ok(await inViewport(page, page.getByTestId('candidate-info')), 'the candidate is in view');
    assert.ok(await inViewport(page, annotations().first()), 'the annotation list is still in view');
    await screenshot(page, 'autolabel-05-1280x720-ai');
  });

  it('at 1600×1000 with 9 labels, the annotation list has room for several rows', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    for (const name of ['blue circle', 'green cross', 'white circle']) {
      await page.getByTestId('label-new-name').fill(name);
      await page.getByTestId('label-add').click();
      await page.locator(`[data-testid="label-item"][data-label-name="${name}"]`).waitFor();
    }
    assert.equal(await page.getByTestId('label-item').count(), 9);
    // Room for four rows, or for every row when there are fewer.
    const pane = (await page.locator('[data-testid="side-pane"][data-pane="annotations"]').boundingBox())!;
    const rows = await annotations().count();
    for (let i = 0; i < rows; i++) assert.ok(await inViewport(page, annotations().nth(i)), `annotation row ${i + 1} of ${rows} is in view`);
    assert.ok(rows >= 4 || pane.height >= 30 + rows * 26, `the annotation pane (${pane.height} px) holds its ${rows} rows`);
    assert.ok(rows < 4 || pane.height >= 4 * 26, `the annotation pane is ${pane.height} px high`);
    await screenshot(page, 'autolabel-06-1600x1000-9-labels');
  });
});
