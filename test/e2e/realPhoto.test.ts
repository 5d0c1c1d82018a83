// A real photograph in browser mode: the classical provider boxes the
// astronaut's helmet (GrabCut), the mask is accepted, and the exported COCO
// holds it where the hand-drawn ground truth says the helmet is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { maskIoU } from '../../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../../common/geometry/polygon.js';
import { rleToMask } from '../../common/geometry/rle.js';
import { chromiumMissing, screenshot } from './support/browser.js';
import { dragImage } from './support/canvas.js';
import { repoRoot } from './support/host.js';
import { hostCall } from './support/hostCall.js';
import { promptPanelHelpers } from './support/promptPanel.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

interface PhotoCoco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    image_id: number;
    category_id: number;
    segmentation: number[][] | { size: [number, number]; counts: string };
    bbox: [number, number, number, number];
  }[];
  categories: { id: number; name: string }[];
}

const CLASSICAL = 'opencv-classical';
const truth = JSON.parse(readFileSync(join(repoRoot, 'assets', 'photos', 'annotations.coco.json'), 'utf8')) as PhotoCoco;
const astronaut = truth.images.find((i) => i.file_name === 'astronaut.jpg')!;
const helmet = truth.annotations.find(
  (a) => a.image_id === astronaut.id && truth.categories.find((c) => c.id === a.category_id)?.name === 'helmet',
)!;

describe('a real photograph with the classical provider, in browser mode', { skip: chromiumMissing() }, () => {
  let session: BrowserSession;
  let page: Page;
  before(async () => {
    session = await openBrowserSession({ images: 1, from: 'photos', labels: ['helmet'] });
    page = session.page;
  });
  after(() => session?.close());
  const { panel, nextCandidate, noCandidate, waitSaved } = promptPanelHelpers(() => page, { candidateTimeoutMs: 60_000 });

  it('boxes the helmet with GrabCut, accepts it, and exports it where the hand-drawn outline is (IoU >= 0.85)', async () => {
    await page.keyboard.press('i');
    await panel().waitFor();
    await page.locator(`[data-testid="ai-model"] option[value="${CLASSICAL}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('ai-model').selectOption(CLASSICAL);
    await page.locator('[data-testid="engine-status"][data-worker="ready"]').waitFor({ timeout: 30_000 });
    const [x, y, w, h] = helmet.bbox;
    await dragImage(page, [x, y], [x + w, y + h]);
    await nextCandidate('');
    await screenshot(page, 'real-photo-01-grabcut');
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="annotation-item"][data-kind="mask"][data-label-name="helmet"]').waitFor();
    await noCandidate();
    await waitSaved();

    const summary = await hostCall(page, 'coco.export', {});
    const exported = JSON.parse(readFileSync(summary.path, 'utf8')) as PhotoCoco;
    const [annotation] = exported.annotations;
    assert.equal(exported.annotations.length, 1);
    assert.equal(exported.categories.find((c) => c.id === annotation!.category_id)?.name, 'helmet');
    const rle = annotation!.segmentation;
    assert.ok(!Array.isArray(rle), 'an accepted mask is exported as RLE');
    const got = { width: astronaut.width, height: astronaut.height, data: rleToMask(rle) };
    const want = {
      width: astronaut.width,
      height: astronaut.height,
      data: rasterisePolygons(
        (helmet.segmentation as number[][]).map((outer) => ({ outer, holes: [] })),
        astronaut.height,
        astronaut.width,
      ),
    };
    const iou = maskIoU(got, want);
    assert.ok(iou >= 0.85, `helmet IoU against the hand-drawn outline: ${iou.toFixed(3)}`);
  });
});
