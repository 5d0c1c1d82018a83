// Interactive AI segmentation in browser mode against the real host and the
// built-in model: click an object, see a labeled candidate, refine it with a
// negative click, accept it; the same through a text prompt and through a
// reference region drawn on another image; segment everything; and find it
// all in the exported COCO with the right categories.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { clickImage, toPage, waitForImage } from './support/canvas.js';
import { hostCall } from './support/hostCall.js';
import { promptPanelHelpers } from './support/promptPanel.js';
import { type Bbox, type CocoFile, groundTruth, gtBox } from './support/sampleTruth.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const centre = ([x, y, w, h]: Bbox): [number, number] => [x + w / 2, y + h / 2];
const intersects = (a: number[], b: number[]) =>
  a[0]! < b[0]! + b[2]! && b[0]! < a[0]! + a[2]! && a[1]! < b[1]! + b[3]! && b[1]! < a[1]! + a[3]!;

const skip = chromiumMissing();

describe('AI prompting in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  const gt = groundTruth();
  // One label per colour: the built-in model gets the colour word right almost always (see its model card).
  const LABELS = ['red square', 'yellow star', 'purple hexagon', 'sand'];

  before(async () => {
    session = await openBrowserSession({ images: 4, labels: LABELS });
    page = session.page;
  });
  after(() => session?.close());

  const { panel, panelAttribute, nextCandidate, stored, waitSaved } = promptPanelHelpers(() => page);
  const currentImageId = async () => Number(await page.getByTestId('canvas').getAttribute('data-image-id'));

  it('shows the prompt panel with the built-in model, a live engine, and features-ready marks from prefetch', async () => {
    await page.keyboard.press('i');
    await panel().waitFor();
    assert.equal(await page.getByTestId('tool-ai').getAttribute('aria-pressed'), 'true');
    await page.locator('[data-testid="ai-model"] option[value="shapes-seem-tiny"]').waitFor({ state: 'attached' });
    assert.equal(await page.getByTestId('ai-model').inputValue(), 'shapes-seem-tiny');
    await page.locator('[data-testid="engine-status"][data-worker="ready"]').waitFor({ timeout: 30_000 });
    const providers = await page
      .locator('[data-testid="ai-provider"] option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.ok(providers.includes('cpu'), `providers offered: ${providers}`);
    assert.deepEqual(
      await page
        .getByTestId('ai-kind')
        .evaluateAll((items) => items.map((i) => `${i.getAttribute('data-kind')}:${i.getAttribute('data-available')}`)),
      ['points:1', 'box:1', 'scribble:1', 'text:1', 'reference:1'],
    );
    // The image on screen and the next ones are encoded ahead of any prompt.
    for (const imageId of [1, 2]) {
      await page
        .locator(`[data-testid="image-item"][data-image-id="${imageId}"] [data-testid="feature-mark"][data-state="ready"]`)
        .waitFor({ timeout: 60_000 });
    }
    await page.keyboard.press('?');
    const overlay = await page.getByTestId('shortcuts').innerText();
    for (const listed of ['AI segmentation', 'Segment everything', 'Tab / Shift+Tab', 'Alt+click / right-click', 'Shift+drag']) {
      assert.ok(overlay.includes(listed), `the ? overlay lists "${listed}"`);
    }
    await page.keyboard.press('?');
  });

  it('click → labeled candidate; a negative click refines it; Enter accepts it as one undo step', async () => {
    const square = gtBox(gt, 'shapes_0001.jpg', 'red square');
    const [sx, sy] = centre(square);
    await clickImage(page, sx, sy);
    const first = await nextCandidate('');
    assert.equal(await panelAttribute('candidate-label'), 'red square');
    assert.match(await page.getByTestId('candidate-info').innerText(), /^\d\/\d · IoU -?\d\.\d\d$/);
    const marks = await page.evaluate(() => ({
      sent: performance.getEntriesByName('ai:prompt-sent').length,
      drawn: performance
        .getEntriesByName('ai:candidate-drawn')
        .map((m) => ((m as PerformanceMark).detail as { candidateSetId: string }).candidateSetId),
    }));
    assert.ok(marks.sent >= 1, 'a prompt-sent mark per request');
    assert.ok(marks.drawn.includes(first), `a candidate-drawn mark for ${first} (got ${marks.drawn})`);
    await screenshot(page, 'ai-01-click');

    // The purple hexagon below is not part of it.
    const [hx, hy] = centre(gtBox(gt, 'shapes_0001.jpg', 'purple hexagon'));
    const negative = await toPage(page, hx, hy);
    await page.keyboard.down('Alt');
    await page.mouse.click(negative.x, negative.y);
    await page.keyboard.up('Alt');
    const refined = await nextCandidate(first);
    assert.notEqual(refined, first);
    assert.equal(await panelAttribute('candidate-label'), 'red square');

    // Tab and Shift+Tab step through the candidates.
    const count = Number(await panelAttribute('candidate-count'));
    assert.ok(count >= 2, `several candidates (${count})`);
    // On a short window the panel scrolls; the candidate list keeps its rows (it used to be squeezed to nothing).
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: viewport.width, height: 560 });
    const listHeight = await page.getByTestId('ai-candidates').evaluate((list) => list.getBoundingClientRect().height);
    await page.setViewportSize(viewport);
    assert.ok(listHeight >= Math.min(count, 3) * 12, `candidate list ${listHeight} px high for ${count} candidates`);
    const shownIndex = await panelAttribute('candidate-index');
    await page.keyboard.press('Tab');
    await page.waitForFunction(
      (index) => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateIndex !== index,
      shownIndex,
    );
    await page.keyboard.press('Shift+Tab');
    await page.waitForFunction(
      (index) => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateIndex === index,
      shownIndex,
    );
    await screenshot(page, 'ai-02-refined');

    await page.keyboard.press('Enter');
    const item = page.locator('[data-testid="annotation-item"][data-kind="mask"][data-label-name="red square"]');
    await item.waitFor();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateSetId === '');
    await waitSaved();
    const [annotation] = await stored(1);
    assert.ok(annotation, 'the host stored the accepted mask');
    assert.equal(annotation.source, 'shapes-seem-tiny');
    assert.ok(annotation.score !== null && annotation.score >= 0 && annotation.score <= 1, `score ${annotation.score}`);
    assert.equal(annotation.geometry.kind, 'mask');
    assert.ok(
      annotation.geometry.kind === 'mask' && (annotation.geometry.outline?.length ?? 0) > 0,
      'the mask keeps its simplified outline',
    );

    // Accepting was one document change; the prompts were not.
    await page.keyboard.press('Control+z');
    await item.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await item.waitFor();
    await waitSaved();
    assert.equal((await stored(1)).length, 1);
  });

  it('a text prompt finds the object it names', async () => {
    await page.getByTestId('ai-text').fill('yellow star');
    await page.getByTestId('ai-text').press('Enter');
    const candidate = await nextCandidate('');
    assert.ok(candidate);
    assert.equal(await panelAttribute('candidate-label'), 'yellow star');
    await screenshot(page, 'ai-03-text');
    // Esc leaves the field (the prompt stays); Enter then accepts.
    await page.getByTestId('ai-text').press('Escape');
    assert.equal(await panelAttribute('candidate-set-id'), candidate);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="annotation-item"][data-label-name="yellow star"]').waitFor();
    await waitSaved();
  });

  it('a reference region drawn on another image finds the same kind of object here', async () => {
    await page.keyboard.press('d');
    await waitForImage(page, 2);
    assert.equal(await panelAttribute('candidate-set-id'), '', 'prompts belong to the image they were made on');
    await page.getByTestId('ai-reference-open').click();
    await page.getByTestId('reference-dialog').waitFor();
    await page.getByTestId('reference-image-select').selectOption('1');
    const surface = page.locator('[data-testid="reference-surface"][data-image-id="1"]:not([data-natural-width="0"])');
    await surface.waitFor();
    const naturalWidth = Number(await surface.getAttribute('data-natural-width'));
    const image = await surface.locator('img').boundingBox();
    assert.ok(image, 'the reference image is shown');
    const scale = image.width / naturalWidth;
    const [x, y, w, h] = gtBox(gt, 'shapes_0001.jpg', 'purple hexagon');
    await page.mouse.move(image.x + x * scale, image.y + y * scale);
    await page.mouse.down();
    for (let step = 1; step <= 6; step++)
      await page.mouse.move(image.x + (x + (w * step) / 6) * scale, image.y + (y + (h * step) / 6) * scale);
    await page.mouse.up();
    await page.locator('[data-testid="reference-surface"][data-region="box"]').waitFor();
    await page.getByTestId('reference-use').click();
    await page.getByTestId('reference-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('ai-reference-current').getAttribute('data-image-id'), '1');
    await nextCandidate('');
    assert.equal(await panelAttribute('candidate-label'), 'purple hexagon');
    await screenshot(page, 'ai-04-reference');
    await page.getByTestId('ai-accept').click();
    await page.locator('[data-testid="annotation-item"][data-label-name="purple hexagon"]').waitFor();
    await waitSaved();
  });

  it('segment everything proposes outlined candidates; Accept all is one undo step', async () => {
    await page.keyboard.press('d');
    await waitForImage(page, 3);
    await page.keyboard.press('g');
    await page.waitForFunction(
      () => {
        const element = document.querySelector<HTMLElement>('[data-testid="prompt-panel"]');
        return (
          element?.dataset.candidateMode === 'everything' && Number(element.dataset.candidateCount) > 0 && element.dataset.pending === '0'
        );
      },
      undefined,
      { timeout: 60_000 },
    );
    const proposals = Number(await panelAttribute('candidate-count'));
    await screenshot(page, 'ai-05-everything');
    await page.getByTestId('ai-accept-all').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, proposals);
    await waitSaved();
    assert.equal((await stored(await currentImageId())).length, proposals);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length === 0);
    await waitSaved();
    assert.equal((await stored(3)).length, 0);
  });

  it('the candidate follows a box while it is dragged; a scribble adds to it; Esc drops it all without a document change', async () => {
    await page.keyboard.press('Escape'); // nothing left from the previous image
    await page.keyboard.press('d');
    await waitForImage(page, 4);
    const [x, y, w, h] = gtBox(gt, 'shapes_0004.jpg', 'yellow square');
    const from = await toPage(page, x - 5, y - 5);
    const to = await toPage(page, x + w + 5, y + h + 5);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(from.x + ((to.x - from.x) * step) / 10, from.y + ((to.y - from.y) * step) / 10);
      await page.waitForTimeout(40);
    }
    // Still dragging: a candidate is already on screen.
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateSetId !== '');
    const duringDrag = await panelAttribute('candidate-set-id');
    await page.mouse.up();
    const boxed = await nextCandidate(duringDrag);
    assert.equal(await panelAttribute('candidate-label'), 'yellow star', 'the only yellow label of the project');
    await screenshot(page, 'ai-06-box');

    const [sx, sy, sw, sh] = gtBox(gt, 'shapes_0004.jpg', 'black star');
    const a = await toPage(page, sx + sw * 0.4, sy + sh * 0.5);
    const b = await toPage(page, sx + sw * 0.6, sy + sh * 0.55);
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    for (let step = 1; step <= 5; step++) await page.mouse.move(a.x + ((b.x - a.x) * step) / 5, a.y + ((b.y - a.y) * step) / 5);
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await nextCandidate(boxed);

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateSetId === '');
    assert.equal(await page.getByTestId('ai-clear').isDisabled(), true, 'no prompts left');
    assert.equal((await stored(4)).length, 0, 'prompting changed nothing in the document');
  });

  it('exports the accepted annotations to COCO with the right categories', async () => {
    const summary = await hostCall(page, 'coco.export', {});
    const coco = JSON.parse(readFileSync(summary.path, 'utf8')) as CocoFile;
    const categoryOf = (id: number) => coco.categories.find((c) => c.id === id)?.name;
    const imageIdOf = (name: string) => coco.images.find((i) => i.file_name === name)?.id;
    const on = (name: string) =>
      coco.annotations.filter((a) => a.image_id === imageIdOf(name)).map((a) => ({ ...a, category: categoryOf(a.category_id) }));

    const first = on('shapes_0001.jpg');
    assert.deepEqual(first.map((a) => a.category).sort(), ['red square', 'yellow star']);
    const square = first.find((a) => a.category === 'red square')!;
    const [sx, sy] = centre(gtBox(gt, 'shapes_0001.jpg', 'red square'));
    assert.ok(
      square.bbox[0] <= sx && sx <= square.bbox[0] + square.bbox[2] && square.bbox[1] <= sy && sy <= square.bbox[1] + square.bbox[3],
      `the clicked point is inside ${square.bbox}`,
    );
    const star = first.find((a) => a.category === 'yellow star')!;
    assert.ok(intersects(star.bbox, gtBox(gt, 'shapes_0001.jpg', 'yellow star')), `the text prompt found the star: ${star.bbox}`);
    assert.ok(!Array.isArray(square.segmentation), 'masks are exported as RLE');

    const second = on('shapes_0002.jpg');
    assert.deepEqual(
      second.map((a) => a.category),
      ['purple hexagon'],
    );
    const purple = [gtBox(gt, 'shapes_0002.jpg', 'purple hexagon'), gtBox(gt, 'shapes_0002.jpg', 'purple square')];
    assert.ok(
      purple.some((box) => intersects(second[0]!.bbox, box)),
      `the reference found a purple object on the other image: ${second[0]!.bbox}`,
    );
    assert.equal(on('shapes_0003.jpg').length + on('shapes_0004.jpg').length, 0);
  });
});
