// Live-wire in browser mode: L turns the polygon tool's live-wire on, a few
// clicks around a sample object's rim follow its edges, and the polygon the
// host stores matches the object's ground truth far better than the straight
// polygon through the same clicks would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import type { Annotation } from '../../common/contract/index.js';
import { maskIoU } from '../../common/geometry/binaryMask.js';
import { rasterisePolygons } from '../../common/geometry/polygon.js';
import { chromiumMissing, screenshot } from './support/browser.js';
import { toPage } from './support/canvas.js';
import { hostCall } from './support/hostCall.js';
import { groundTruthRing } from './support/sampleTruth.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

/** `count` points evenly spaced along a closed ring's perimeter, starting at its first vertex. */
function pointsAlong(ring: readonly number[], count: number): [number, number][] {
  const n = ring.length / 2;
  const lengths = Array.from({ length: n }, (_, i) =>
    Math.hypot(ring[(2 * i + 2) % ring.length]! - ring[2 * i]!, ring[(2 * i + 3) % ring.length]! - ring[2 * i + 1]!),
  );
  const perimeter = lengths.reduce((sum, l) => sum + l, 0);
  const out: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    let along = (perimeter * k) / count;
    let i = 0;
    while (along > lengths[i]! && i < n - 1) along -= lengths[i++]!;
    const t = lengths[i]! === 0 ? 0 : along / lengths[i]!;
    const j = (i + 1) % n;
    out.push([ring[2 * i]! + t * (ring[2 * j]! - ring[2 * i]!), ring[2 * i + 1]! + t * (ring[2 * j + 1]! - ring[2 * i + 1]!)]);
  }
  return out;
}

const skip = chromiumMissing();

describe('live-wire polygon in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;

  before(async () => {
    session = await openBrowserSession({ images: 1 });
    page = session.page;
  });
  after(() => session?.close());

  it('L turns live-wire on in the polygon tool, and the ? overlay lists it', async () => {
    await page.keyboard.press('l');
    assert.equal(await page.getByTestId('tool-polygon').getAttribute('aria-pressed'), 'true');
    const toggle = page.getByTestId('live-wire-toggle');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    // The pixels are read once, off the canvas, when live-wire is first used on the image.
    await page.locator('[data-testid="live-wire-toggle"][data-pixels="ready"]').waitFor({ timeout: 20_000 });
    assert.match(await toggle.innerText(), /Live-wire on/);
    await page.keyboard.press('?');
    assert.ok((await page.getByTestId('shortcuts').innerText()).includes('Live-wire polygon'));
    await page.keyboard.press('?');
    // L again switches it off, and once more on.
    await page.keyboard.press('l');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('l');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  });

  it('six clicks around the purple hexagon give a polygon on its outline (IoU ≥ 0.85 with the ground truth)', async () => {
    const { ring, width, height } = groundTruthRing('shapes_0001.jpg', 'purple hexagon');
    const iou = (a: Uint8Array, b: Uint8Array) => maskIoU({ width, height, data: a }, { width, height, data: b });
    const clicks = pointsAlong(ring, 6);
    for (const [x, y] of clicks) {
      const at = await toPage(page, x, y);
      // Through a few intermediate positions, as a hand would: the preview follows.
      await page.mouse.move(at.x, at.y, { steps: 4 });
      await page.mouse.click(at.x, at.y);
      // Apart in time, so no two clicks make a double-click.
      await page.waitForTimeout(350);
    }
    await screenshot(page, 'live-wire-01-before-close');
    const first = await toPage(page, clicks[0]![0], clicks[0]![1]);
    await page.mouse.move(first.x, first.y, { steps: 4 });
    await page.mouse.click(first.x, first.y);

    const deadline = Date.now() + 10_000;
    let polygons: Annotation[] = [];
    while (polygons.length === 0) {
      polygons = (await hostCall(page, 'annotations.list', { imageId: 1 })).filter((a) => a.geometry.kind === 'polygon');
      if (polygons.length === 0 && Date.now() > deadline) assert.fail('no polygon stored');
      if (polygons.length === 0) await page.waitForTimeout(100);
    }
    assert.equal(polygons.length, 1);
    const geometry = polygons[0]!.geometry;
    assert.ok(geometry.kind === 'polygon');
    const outer = geometry.polygons[0]!.outer;
    const truth = rasterisePolygons([{ outer: ring, holes: [] }], height, width);
    const drawn = iou(rasterisePolygons(geometry.polygons, height, width), truth);
    const straight = iou(rasterisePolygons([{ outer: clicks.flat(), holes: [] }], height, width), truth);
    console.log(
      `live-wire hexagon: IoU ${drawn.toFixed(3)} with ${outer.length / 2} vertices from 6 clicks (straight polygon through the clicks: ${straight.toFixed(3)})`,
    );
    await screenshot(page, 'live-wire-02-closed');
    assert.ok(outer.length / 2 > clicks.length, `the edges between clicks brought vertices of their own (${outer.length / 2})`);
    assert.ok(drawn >= 0.85, `IoU ${drawn.toFixed(3)} with the ground truth`);
    assert.ok(drawn > straight, 'better than straight edges through the same clicks');
  });
});
