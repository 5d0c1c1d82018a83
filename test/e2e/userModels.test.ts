// Real models through the model manager in browser mode (issue 11, "How it
// is checked", the e2e bullet): a SAM-format encoder + decoder pair and a
// YOLO instance segmenter are added by typed paths, a box prompt on the SAM
// model gives a mask with its preselection rule shown, the detector's
// proposals appear as candidates, one class name ("cat") is mapped onto a
// project label ("animal") in the mapping dialog, the detection is accepted
// (source = the detector, its score), and the COCO export has the right
// categories. Screenshots at 1280×720 show the candidates and their actions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import type { ModelInfo } from '../../common/contract/index.js';
import { chromiumMissing, screenshot } from './support/browser.js';
import { dragImage, waitForImage } from './support/canvas.js';
import { repoRoot } from './support/host.js';
import { hostCall } from './support/hostCall.js';
import { promptPanelHelpers } from './support/promptPanel.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const skip = chromiumMissing();

interface CocoExport {
  categories: { id: number; name: string }[];
  annotations: { image_id: number; category_id: number; score?: number; source?: string }[];
}

describe('user models in browser mode: add SAM + YOLO, box prompt, detect, map a class, export', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  let sam: ModelInfo;
  let yolo: ModelInfo;
  // chelsea.jpg (landscape) is the third photo by name: the YOLO fixture's content box is a cat there.
  const IMAGE_ID = 3;

  before(async () => {
    session = await openBrowserSession({ images: 3, from: 'photos', labels: ['person', 'animal'] });
    page = session.page;
    await page.setViewportSize({ width: 1280, height: 720 });
  });
  after(() => session?.close());

  const { panel, panelAttribute, nextCandidate, stored, waitSaved } = promptPanelHelpers(() => page, { candidateTimeoutMs: 120_000 });

  const addByPaths = async (paths: string[], before: number) => {
    await page.getByTestId('model-add-paths').fill(paths.join('\n'));
    await page.getByTestId('model-add').click();
    await page.locator('[data-testid="model-add-outcome"]').waitFor({ timeout: 180_000 });
    const kind = await page.getByTestId('model-add-outcome').getAttribute('data-kind');
    assert.equal(kind, 'installed', await page.getByTestId('model-add-outcome').innerText());
    await page.locator('[data-testid="user-model"]').nth(before).waitFor();
  };

  it('refuses a file that is no model with what it found, then adds a SAM-format pair and a YOLO segmenter by path', async () => {
    await page.keyboard.press('i');
    await panel().waitFor();
    await page.getByTestId('ai-get-models').click();
    await page.getByTestId('user-models').waitFor();
    // A refusal says why (and installs nothing).
    await page.getByTestId('model-add-paths').fill(join(repoRoot, 'test', 'fixtures', 'yolo', 'data.yaml'));
    await page.getByTestId('model-add').click();
    const refusal = page.locator('[data-testid="model-add-outcome"][data-kind="failed"]');
    await refusal.waitFor({ timeout: 60_000 });
    const said = await refusal.innerText();
    assert.match(said, /^Not added: .{20,}/);
    assert.doesNotMatch(said, /Unexpected error/, 'a refusal, not a crash');
    assert.equal(await page.getByTestId('user-model').count(), 0);

    await addByPaths(
      [join(repoRoot, 'test', 'fixtures', 'sam', 'encoder.onnx'), join(repoRoot, 'test', 'fixtures', 'sam', 'decoder.onnx')],
      0,
    );
    await addByPaths([join(repoRoot, 'test', 'fixtures', 'yolo', 'yolo-seg.onnx')], 1);
    const links = await page.getByTestId('model-link').count();
    if (links > 0) {
      const unverified = await page.locator('[data-testid="model-link"][data-verified="0"]').count();
      assert.equal(
        await page.locator('[data-testid="model-link"] .model-link-unverified').count(),
        unverified,
        'each unverified link says so',
      );
    }
    await screenshot(page, 'user-models-manager-1280');

    const models = await hostCall(page, 'ai.models', {});
    const user = models.filter((m) => m.source === 'user');
    sam = user.find((m) => m.kind === 'segmenter' || m.kind === 'sam2')!;
    yolo = user.find((m) => m.kind === 'detector')!;
    assert.ok(sam, `a SAM-family model is listed: ${user.map((m) => `${m.id}:${m.kind}`).join(', ')}`);
    assert.ok(yolo, 'the YOLO model is listed as a detector');
    assert.equal(yolo.capabilities.detect, true);
    assert.equal(yolo.capabilities.points, false, 'a detector takes no clicks');
    await page.locator('[data-testid="model-manager"] header button').click();
    await page.getByTestId('model-manager').waitFor({ state: 'detached' });
  });

  it('a box on the SAM model gives a mask, says which rule preselected it, and Enter accepts it', async () => {
    await page
      .getByTestId('image-item')
      .nth(IMAGE_ID - 1)
      .click();
    await waitForImage(page, IMAGE_ID);
    await page.getByTestId('ai-model').selectOption(sam.id);
    await page.locator(`[data-testid="ai-model-remembered"][data-remembered="1"]`).waitFor();
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('i');
    const previous = await panelAttribute('candidate-set-id');
    // chelsea.jpg is 451×300: a box around the cat's head and body.
    await dragImage(page, [60, 20], [400, 290]);
    await nextCandidate(previous);
    assert.match(await page.getByTestId('ai-selection-rule').innerText(), /^Preselected: \S/);
    await page.getByTestId('ai-label-select').selectOption({ label: '2 · animal' });
    await screenshot(page, 'user-models-sam-box-1280');
    // The candidate and its actions sit in the side column's pinned area, which never scrolls away.
    const view = (await page.getByTestId('side-pinned').boundingBox())!;
    const accept = (await page.getByTestId('ai-accept').boundingBox())!;
    assert.ok(
      accept.y >= view.y && accept.y + accept.height <= view.y + view.height + 1,
      'Accept is visible in the pinned area at 1280×720',
    );
    await page.getByTestId('ai-accept').click();
    await page.locator('[data-testid="prompt-panel"][data-candidate-set-id=""]').waitFor();
    await waitSaved();
    const annotations = await stored(IMAGE_ID);
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0]!.source, sam.id);
  });

  it('the detector: Detect objects shows the detections, "cat" is mapped onto "animal", and the cat is accepted', async () => {
    await page.getByTestId('ai-model').selectOption(yolo.id);
    await page.getByTestId('ai-detector').waitFor();
    assert.equal(await page.getByTestId('ai-detect').isEnabled(), true);
    // The shortcut overlay lists the action.
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('?');
    assert.ok((await page.getByTestId('shortcuts').innerText()).includes('Detect objects'));
    await page.keyboard.press('?');

    const previous = await panelAttribute('candidate-set-id');
    await page.getByTestId('ai-detect').click();
    await nextCandidate(previous);
    assert.equal(await panelAttribute('candidate-mode'), 'detections');
    const unmapped = page.getByTestId('ai-unmapped');
    assert.match(await unmapped.innerText(), /No project label for: .*\bcat\b/);
    const unmappedBefore = Number(await unmapped.getAttribute('data-count'));

    await page.getByTestId('ai-map-classes').click();
    const row = page.locator('[data-testid="label-map-row"][data-class-name="cat"]');
    assert.equal(await row.getAttribute('data-unmapped'), '1');
    await row.getByTestId('label-map-select').selectOption('animal');
    await screenshot(page, 'user-models-label-map-1280');
    await page.getByTestId('label-map-save').click();
    await page.getByTestId('label-map').waitFor({ state: 'detached' });
    await page.locator(`[data-testid="ai-unmapped"][data-count="${unmappedBefore - 1}"]`).waitFor();
    const remembered = await hostCall(page, 'ai.status', {});
    assert.equal(remembered.settings.labelMaps?.[yolo.id]?.cat, 'animal', 'the mapping is remembered for the model');

    // Select the cat detection in the list; its label is now "animal".
    const cat = page.locator('[data-testid="ai-candidate"]', { hasText: 'cat' }).first();
    await cat.click();
    await page.locator('[data-testid="prompt-panel"][data-candidate-label="animal"]').waitFor();
    await screenshot(page, 'user-models-detections-1280');
    // Inside the pinned area's scrolled view, not only somewhere in its layout.
    const view = (await page.getByTestId('side-pinned').boundingBox())!;
    for (const id of ['ai-accept', 'ai-accept-all', 'ai-discard', 'ai-candidates', 'ai-selection-rule']) {
      const box = await page.getByTestId(id).boundingBox();
      const inside = box !== null && box.y >= view.y && box.y + box.height <= view.y + view.height + 1 && box.x + box.width <= 1280;
      assert.ok(inside, `${id} is visible in the pinned area at 1280×720: ${JSON.stringify(box)} in ${JSON.stringify(view)}`);
    }
    const count = Number(await panelAttribute('candidate-count'));
    await page.getByTestId('ai-accept').click();
    await page.locator(`[data-testid="prompt-panel"][data-candidate-count="${count - 1}"]`).waitFor();
    await waitSaved();
    const annotations = await stored(IMAGE_ID);
    const detected = annotations.filter((a) => a.source === yolo.id);
    assert.equal(detected.length, 1);
    const animal = (await hostCall(page, 'labels.list', {})).find((l) => l.name === 'animal')!;
    assert.equal(detected[0]!.labelId, animal.id);
    assert.ok(detected[0]!.score !== null && detected[0]!.score > 0.25, `the detector's score is kept: ${detected[0]!.score}`);
    assert.equal(detected[0]!.geometry.kind, 'mask');
  });

  it('exports COCO with the right categories', async () => {
    await page.getByTestId('ai-discard').click();
    const summary = await hostCall(page, 'coco.export', {});
    const coco = JSON.parse(readFileSync(summary.path, 'utf8')) as CocoExport;
    const names = coco.categories.map((c) => c.name).sort();
    assert.deepEqual(names, ['animal', 'person']);
    const animalId = coco.categories.find((c) => c.name === 'animal')!.id;
    assert.equal(coco.annotations.length, 2);
    assert.ok(
      coco.annotations.every((a) => a.category_id === animalId),
      'both the SAM mask and the mapped detection are "animal"',
    );
  });
});
