// The classical OpenCV provider in browser mode against the real host: pick
// it, see the prompt kinds it cannot take greyed out with the reason, box an
// object (GrabCut), fill one with the magic wand and move the tolerance,
// split by scribble regions (watershed) and accept all regions at once, and
// find the accepted masks in the exported COCO.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { clickImage, dragImage, toPage } from './support/canvas.js';
import { hostCall } from './support/hostCall.js';
import { promptPanelHelpers } from './support/promptPanel.js';
import { boxIoU, type CocoFile, groundTruth, gtBox } from './support/sampleTruth.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const CLASSICAL = 'opencv-classical';
const skip = chromiumMissing();

describe('classical provider in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  const gt = groundTruth();
  const LABELS = ['red square', 'purple hexagon', 'yellow star', 'background'];

  before(async () => {
    session = await openBrowserSession({ images: 2, labels: LABELS });
    page = session.page;
  });
  after(() => session?.close());

  const { panel, panelAttribute, nextCandidate, noCandidate, stored, waitSaved } = promptPanelHelpers(() => page, {
    candidateTimeoutMs: 60_000,
  });
  const title = async (testId: string) => (await page.getByTestId(testId).getAttribute('title')) ?? '';

  it('picking the classical provider greys out text, reference and segment everything, each with its reason', async () => {
    await page.keyboard.press('i');
    await panel().waitFor();
    await page.locator(`[data-testid="ai-model"] option[value="${CLASSICAL}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('ai-model').selectOption(CLASSICAL);
    await page.waitForFunction((id) => document.querySelector<HTMLSelectElement>('[data-testid="ai-model"]')?.value === id, CLASSICAL);
    await page.locator('[data-testid="engine-status"][data-worker="ready"]').waitFor({ timeout: 30_000 });

    const kinds = await page
      .getByTestId('ai-kind')
      .evaluateAll((items) => items.map((i) => `${i.getAttribute('data-kind')}:${i.getAttribute('data-available')}`));
    assert.deepEqual(kinds, ['points:1', 'box:1', 'scribble:1', 'text:0', 'reference:0']);
    assert.match(
      (await page.locator('[data-testid="ai-kind"][data-kind="text"]').getAttribute('title')) ?? '',
      /does not take text prompts/,
    );
    assert.equal(await page.getByTestId('ai-text').isDisabled(), true);
    assert.equal(await page.getByTestId('ai-reference-open').isDisabled(), true);
    assert.match(await title('ai-reference-open'), /does not take reference regions/);
    assert.equal(await page.getByTestId('ai-everything').isDisabled(), true);
    assert.match(await title('ai-everything'), /proposes nothing without a prompt/);
    // What it has instead: the wand and the regions.
    assert.equal(await page.getByTestId('ai-wand-mode').isDisabled(), false);
    assert.equal(await page.getByTestId('ai-regions').getAttribute('data-available'), '1');
    assert.match(await page.getByTestId('ai-model-note').innerText(), /\S/, 'the provider says what to know about it');

    // G says why instead of running.
    await page.keyboard.press('g');
    await page.locator('[data-testid="toast"]', { hasText: 'proposes nothing without a prompt' }).waitFor();
    assert.equal(await panelAttribute('candidate-mode'), 'prompt');

    await page.keyboard.press('?');
    const overlay = await page.getByTestId('shortcuts').innerText();
    for (const listed of ['Magic wand', 'Shift+1 – 4']) assert.ok(overlay.includes(listed), `the ? overlay lists "${listed}"`);
    await page.keyboard.press('?');
    await screenshot(page, 'classical-01-greyed');
  });

  it('a box around an object gives a GrabCut mask (no predicted IoU); Enter accepts it with the label chosen', async () => {
    const [x, y, w, h] = gtBox(gt, 'shapes_0001.jpg', 'red square');
    await dragImage(page, [x - 10, y - 10], [x + w + 10, y + h + 10]);
    await nextCandidate('');
    assert.doesNotMatch(await page.getByTestId('candidate-info').innerText(), /IoU/, 'a classical mask has no score to show');
    await screenshot(page, 'classical-02-grabcut');
    await page.keyboard.press('1'); // red square
    assert.equal(await panelAttribute('candidate-label'), 'red square');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="annotation-item"][data-kind="mask"][data-label-name="red square"]').waitFor();
    await noCandidate();
    await waitSaved();
    const [annotation] = await stored(1);
    assert.ok(annotation, 'the host stored the accepted mask');
    assert.equal(annotation.source, CLASSICAL);
    assert.equal(annotation.score, null, 'no confidence from a classical provider');
    assert.equal(annotation.geometry.kind, 'mask');
  });

  it('the magic wand fills from a click; moving the tolerance redoes the fill', async () => {
    await page.keyboard.press('w');
    await page.locator('[data-testid="ai-wand"][data-active="1"]').waitFor();
    const slider = page.getByTestId('ai-wand-tolerance');
    assert.equal(await slider.inputValue(), '24');
    const [x, y, w, h] = gtBox(gt, 'shapes_0001.jpg', 'purple hexagon');
    await clickImage(page, x + w * 0.6, y + h * 0.35); // clear of the red cross in its lower left
    const filled = await nextCandidate('');
    await slider.fill('40');
    assert.equal(await page.getByTestId('ai-wand-tolerance-value').innerText(), '40');
    const refilled = await nextCandidate(filled);
    assert.notEqual(refilled, filled);
    await screenshot(page, 'classical-03-wand');
    await slider.press('Escape'); // the keyboard back to the canvas keys
    await page.keyboard.press('2'); // purple hexagon
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="annotation-item"][data-kind="mask"][data-label-name="purple hexagon"]').waitFor();
    await waitSaved();
    await page.keyboard.press('w');
    await page.locator('[data-testid="ai-wand"][data-active="0"]').waitFor();
  });

  it('scribbles in two regions give one mask per region; Accept all commits both as one undo step', async () => {
    const before = (await stored(1)).length;
    const [sx, sy, sw, sh] = gtBox(gt, 'shapes_0001.jpg', 'yellow star');
    const scribble = async (from: [number, number], to: [number, number]) => {
      const a = await toPage(page, ...from);
      const b = await toPage(page, ...to);
      await page.keyboard.down('Shift');
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      for (let step = 1; step <= 6; step++) await page.mouse.move(a.x + ((b.x - a.x) * step) / 6, a.y + ((b.y - a.y) * step) / 6);
      await page.mouse.up();
      await page.keyboard.up('Shift');
    };
    await page.keyboard.press('Shift+Digit1');
    await page.locator('[data-testid="ai-region"][data-region="0"][aria-checked="true"]').waitFor();
    await scribble([sx + sw * 0.45, sy + sh * 0.45], [sx + sw * 0.55, sy + sh * 0.6]);
    const single = await nextCandidate('');
    await page.keyboard.press('Shift+Digit2');
    await page.locator('[data-testid="ai-region"][data-region="1"][aria-checked="true"]').waitFor();
    await scribble([sx + sw + 40, sy - 20], [sx + sw + 80, sy + sh]); // the striped ground beside the star
    await nextCandidate(single);
    assert.equal(await panelAttribute('candidate-mode'), 'regions');
    assert.equal(Number(await panelAttribute('candidate-count')), 2);
    assert.deepEqual(
      await page.getByTestId('ai-candidate-region').evaluateAll((items) => items.map((i) => i.getAttribute('data-region'))),
      ['0', '1'],
    );
    // Tab steps through the regions.
    const shown = await panelAttribute('candidate-index');
    await page.keyboard.press('Tab');
    await page.waitForFunction(
      (index) => document.querySelector<HTMLElement>('[data-testid="prompt-panel"]')?.dataset.candidateIndex !== index,
      shown,
    );
    await screenshot(page, 'classical-04-regions');

    await page.getByTestId('ai-accept-all').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, before + 2);
    await noCandidate();
    await waitSaved();
    assert.equal((await stored(1)).length, before + 2);
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="annotation-item"]').length === n, before);
    await waitSaved();
    assert.equal((await stored(1)).length, before, 'both regions went in one undo step');
  });

  it('exports the accepted classical masks to COCO as RLE, where the objects are', async () => {
    const summary = await hostCall(page, 'coco.export', {});
    const coco = JSON.parse(readFileSync(summary.path, 'utf8')) as CocoFile;
    const imageId = coco.images.find((i) => i.file_name === 'shapes_0001.jpg')?.id;
    const categoryOf = (id: number) => coco.categories.find((c) => c.id === id)?.name;
    const on = coco.annotations.filter((a) => a.image_id === imageId);
    assert.deepEqual(on.map((a) => categoryOf(a.category_id)).sort(), ['purple hexagon', 'red square']);
    for (const name of ['red square', 'purple hexagon']) {
      const exported = on.find((a) => categoryOf(a.category_id) === name)!;
      assert.ok(exported.segmentation && !Array.isArray(exported.segmentation), `${name}: a mask, exported as RLE`);
      assert.ok(exported.area > 0, `${name}: area ${exported.area}`);
      const iou = boxIoU(exported.bbox, gtBox(gt, 'shapes_0001.jpg', name));
      assert.ok(iou >= 0.8, `${name}: the mask covers the object (box IoU ${iou.toFixed(2)}, bbox ${exported.bbox})`);
    }
  });
});
