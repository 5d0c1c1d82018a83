// Import dataset… / Export dataset… in browser mode: a labelme file made for
// one sample image goes in through the toolbar dialog, and the project goes
// out as CVAT XML into a folder beside it, checked against what the host holds,
// and as COCO (one file) from the same format list.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing } from './support/browser.js';
import { hostCall } from './support/hostCall.js';
import { type BrowserSession, openBrowserSession } from './support/session.js';

const skip = chromiumMissing();

describe('dataset formats in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  let project: string;

  before(async () => {
    session = await openBrowserSession({ images: 2 });
    ({ page, project } = session);
  });
  after(async () => {
    await session?.close();
    for (const suffix of ['labelme-in', 'cvat-out', 'coco.json'])
      rmSync(join(project, '..', `${basename(project)}-${suffix}`), { recursive: true, force: true });
  });

  it('imports a labelme folder through "Import dataset…" and exports CVAT through "Export dataset…"', async () => {
    const images = await hostCall(page, 'images.list', {});
    const first = await hostCall(page, 'images.get', { imageId: images.items[0]!.id });
    const folder = join(project, '..', `${basename(project)}-labelme-in`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'one.json'),
      JSON.stringify({
        version: '5.7.0',
        flags: {},
        shapes: [
          {
            label: 'kite',
            points: [
              [10, 10],
              [60, 40],
            ],
            shape_type: 'rectangle',
            group_id: null,
            flags: {},
          },
          { label: 'kite', points: [[70, 20]], shape_type: 'point', group_id: null, flags: {} },
        ],
        imagePath: join(project, first.relPath),
        imageData: null,
        imageHeight: first.height,
        imageWidth: first.width,
      }),
    );
    await page.getByRole('button', { name: 'Import dataset…' }).click();
    await page.getByLabel('Format').selectOption('labelme');
    await page.getByLabel('Dataset (file or folder)').fill(folder);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const toast = page.locator('[data-testid="toast"]').filter({ hasText: 'Imported 1 annotations on 1 images' });
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /Not imported: 1 point shapes/);
    const stored = await hostCall(page, 'annotations.list', { imageId: first.id });
    assert.deepEqual(
      stored.map((a) => a.geometry),
      [{ kind: 'box', box: { x: 10, y: 10, w: 50, h: 30 } }],
    );

    const out = join(project, '..', `${basename(project)}-cvat-out`);
    await page.getByRole('button', { name: 'Export dataset…' }).click();
    await page.getByLabel('Format').selectOption('cvat');
    await page.getByLabel('Output folder').fill(out);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page
      .locator('[data-testid="toast"]')
      .filter({ hasText: `to ${out}` })
      .waitFor();
    assert.ok(existsSync(join(out, 'annotations.xml')));
    assert.match(
      readFileSync(join(out, 'annotations.xml'), 'utf8'),
      /<box label="kite" source="manual" occluded="0" xtl="10.00" ytl="10.00" xbr="60.00" ybr="40.00"/,
    );

    // COCO from the same list: one file, its path suggested beside the project.
    await page.getByRole('button', { name: 'Export dataset…' }).click();
    await page.getByLabel('Format').selectOption('coco');
    const cocoOut = join(project, '..', `${basename(project)}-coco.json`);
    assert.equal(await page.getByLabel('Output file').inputValue(), cocoOut);
    await page.getByLabel('Boxes').selectOption('bbox'); // COCO's own export options, as in the COCO buttons
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page
      .locator('[data-testid="toast"]')
      .filter({ hasText: `to ${cocoOut}` })
      .waitFor();
    const coco = JSON.parse(readFileSync(cocoOut, 'utf8')) as {
      annotations: { bbox: number[]; segmentation: unknown }[];
      categories: { name: string }[];
    };
    assert.ok(coco.categories.some((c) => c.name === 'kite'));
    const kite = coco.annotations.find((a) => a.bbox.join() === '10,10,50,30');
    assert.deepEqual(kite?.segmentation, [], 'boxes as bbox only');
  });
});
