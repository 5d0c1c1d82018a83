// Recording a narrative in browser mode, as an annotator does it: T, point
// at a thing while typing its word, point at the next, Enter. Then: a word
// hovered in the panel shows its stretch of trace on the canvas, the trace
// hovered on the canvas lights its word, a word click centres the view,
// undo/redo, a reload keeps it, and the narrative exported as Localized
// Narratives imports into a new project.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chromiumMissing, screenshot } from './support/browser.js';
import { clickImage, toPage, waitForImage } from './support/canvas.js';
import { type RunningHost, sampleProject, startHost } from './support/host.js';
import { hostCall } from './support/hostCall.js';
import { type BrowserSession, startBrowserSession } from './support/session.js';

const skip = chromiumMissing();

/** The stretch-of-trace colour of TraceLayer.tsx (WORD_SEGMENT_COLOUR), as RGB. */
const SEGMENT_RGB = [0xff, 0x2b, 0xd6] as const;

/** Whether any canvas layer shows the segment colour within 3 px of the image point. */
async function segmentColourAt(page: Page, ix: number, iy: number): Promise<boolean> {
  const at = await toPage(page, ix, iy);
  return page.evaluate(
    ({ x, y, rgb }) => {
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>('[data-testid="canvas"] canvas')) {
        const rect = canvas.getBoundingClientRect();
        const ratio = canvas.width / rect.width;
        const data = canvas
          .getContext('2d')!
          .getImageData((x - rect.left - 3) * ratio, (y - rect.top - 3) * ratio, 7 * ratio, 7 * ratio).data;
        for (let i = 0; i < data.length; i += 4)
          if (
            data[i + 3]! > 200 &&
            Math.abs(data[i]! - rgb[0]) < 30 &&
            Math.abs(data[i + 1]! - rgb[1]) < 30 &&
            Math.abs(data[i + 2]! - rgb[2]) < 30
          )
            return true;
      }
      return false;
    },
    { x: at.x, y: at.y, rgb: SEGMENT_RGB },
  );
}

/** Moves the pointer to an image point in small steps (pointer events the recorder samples). */
async function moveTo(page: Page, ix: number, iy: number): Promise<void> {
  const at = await toPage(page, ix, iy);
  await page.mouse.move(at.x, at.y, { steps: 10 });
}

describe('recording a narrative in browser mode', { skip }, () => {
  let session: BrowserSession;
  let page: Page;
  let second: RunningHost | undefined;
  let exported = '';

  before(async () => {
    session = await startBrowserSession({ images: 2 });
    page = session.page;
  });
  after(async () => {
    await session?.close();
    await second?.stop();
  });

  const words = () => page.getByTestId('caption-word');
  const wordTexts = () => words().allTextContents();

  it('records: T, point while typing each word, Enter keeps it as one caption', async () => {
    await page.goto(session.host.url);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await moveTo(page, 30, 30);
    await page.keyboard.press('t');
    const field = page.getByTestId('narrative-text');
    await field.waitFor();
    assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the text field takes the typing');
    // "red" typed while the pointer rests on (60, 60), "star" while it rests on (160, 120).
    await moveTo(page, 60, 60);
    await page.waitForTimeout(150);
    await page.keyboard.type('red ', { delay: 60 });
    await page.waitForTimeout(150);
    await moveTo(page, 160, 120);
    await page.waitForTimeout(150);
    await page.keyboard.type('star.', { delay: 60 });
    await page.waitForTimeout(150);
    assert.ok(Number(await page.getByTestId('narrative-frames').textContent()) > 20, 'sampled once a display frame');
    await page.keyboard.press('Enter');
    await page.getByTestId('caption-row').first().waitFor();
    assert.deepEqual(await wordTexts(), ['red', 'star']);
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
    await screenshot(page, 'narrative-01-recorded');
  });

  it('a hovered word shows its stretch of trace; the trace under the pointer lights its word', async () => {
    await page.getByTestId('caption-record').hover();
    assert.equal(await segmentColourAt(page, 160, 120), false, 'nothing highlighted before');
    await words().nth(1).hover();
    const info = page.getByTestId('caption-word-info');
    await info.waitFor();
    assert.ok(Number(await info.getAttribute('data-samples')) > 3, (await info.textContent()) ?? '');
    assert.equal(await segmentColourAt(page, 160, 120), true, "star's segment is drawn where the pointer was while typing it");
    assert.equal(await segmentColourAt(page, 60, 60), false, "red's stretch is not highlighted");
    await screenshot(page, 'narrative-02-word-hovered');

    await moveTo(page, 60, 60);
    await page.locator('[data-testid="caption-word"].is-hovered', { hasText: 'red' }).waitFor();
    assert.equal(await segmentColourAt(page, 60, 60), true);
  });

  it('clicking a word centres the view on its point', async () => {
    await page.getByTestId('zoom-actual').click();
    await words().nth(1).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="canvas"]')?.getAttribute('data-offset-x') !== null);
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    const star = await toPage(page, 160, 120);
    assert.ok(Math.abs(star.x - (canvasBox.x + canvasBox.width / 2)) < 20, `x ${star.x} vs centre ${canvasBox.x + canvasBox.width / 2}`);
    assert.ok(Math.abs(star.y - (canvasBox.y + canvasBox.height / 2)) < 20, `y ${star.y} vs centre ${canvasBox.y + canvasBox.height / 2}`);
  });

  it('edits the text keeping the words that stayed; undo and redo step through', async () => {
    await page.getByTestId('caption-edit').click();
    await page.getByTestId('caption-edit-text').fill('red big star');
    await page.getByTestId('caption-edit-save').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="caption-word"]').length === 3);
    assert.equal(await page.locator('[data-testid="caption-word"].is-unaligned').textContent(), 'big');
    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="caption-word"]').length === 2);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="caption-row"]').length === 0);
    await page.keyboard.press('Control+Shift+z');
    await page.getByTestId('caption-row').waitFor();
    assert.deepEqual(await wordTexts(), ['red', 'star']);
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
  });

  it('finds it again after a reload, and by the project-wide search', async () => {
    await page.reload();
    await page.getByTestId('image-item').nth(1).click();
    await waitForImage(page);
    assert.equal(await page.getByTestId('caption-row').count(), 0);
    await page.getByTestId('caption-search').fill('red st');
    await page.getByTestId('caption-hit').first().click();
    await page.getByTestId('caption-row').waitFor();
    assert.deepEqual(await wordTexts(), ['red', 'star']);
    assert.equal(await page.getByTestId('canvas').getAttribute('data-image-id'), '1');
  });

  it('exports Localized Narratives, which a new project imports by file stem', async () => {
    await page.getByTestId('ln-export').click();
    await page.locator('.toast', { hasText: 'Exported 1 narratives' }).waitFor();
    const dir = join(session.project, 'exports');
    const file = readdirSync(dir).find((name) => name.startsWith('narratives-') && name.endsWith('.jsonl'));
    assert.ok(file, 'an export in the project exports folder');
    exported = join(dir, file);
    const record = JSON.parse(readFileSync(exported, 'utf8').trim()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), [
      'dataset_id',
      'image_id',
      'annotator_id',
      'caption',
      'timed_caption',
      'traces',
      'voice_recording',
    ]);
    assert.equal(record.image_id, 'shapes_0001');

    second = await startHost(sampleProject(2));
    await page.goto(second.url);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    assert.equal(await page.getByTestId('caption-row').count(), 0);
    await page.getByTestId('ln-import').click();
    await page.getByTestId('ln-import-path').fill(exported);
    await page.getByTestId('ln-import-go').click();
    await page.getByTestId('caption-row').waitFor();
    assert.deepEqual(await wordTexts(), ['red', 'star']);
    await words().nth(1).hover();
    assert.ok(Number(await page.getByTestId('caption-word-info').getAttribute('data-samples')) > 3, 'the trace came along');
    assert.equal(await segmentColourAt(page, 160, 120), true);
    await screenshot(page, 'narrative-03-imported');
  });
});

describe('captions from the model in browser mode: a point per word, box -> caption, phrase -> box', { skip }, () => {
  let session: BrowserSession;
  let page: Page;

  before(async () => {
    session = await startBrowserSession({ images: 2 });
    page = session.page;
    await page.goto(session.host.url);
    // the installed model that writes captions (the built-in one ships a caption head)
    const models = await hostCall(page, 'ai.models', {});
    const captioner = models.find((m) => m.capabilities.caption && m.problem === null);
    assert.ok(captioner, `a model with a caption head is installed (${models.map((m) => m.id).join(', ')})`);
    await hostCall(page, 'ai.configure', { modelId: captioner.id });
    await page.reload();
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
  });
  after(async () => session?.close());

  it('C captions the image: a proposal whose words each have a point on the image; keeping it stores it as one undo step', async () => {
    await page.keyboard.press('c');
    await page.getByTestId('caption-proposal').waitFor();
    const proposed = await page.getByTestId('caption-proposal-word').allTextContents();
    assert.ok(proposed.length >= 3, `a caption of several words: ${proposed.join(' ')}`);
    // the host's answer for the same image is what the panel shows, each word with its point in the image
    const answer = await hostCall(page, 'ai.caption', { imageId: 1 });
    assert.deepEqual(
      answer.words.map((w) => w.word),
      proposed,
    );
    const image = await hostCall(page, 'images.get', { imageId: 1 });
    for (const w of answer.words)
      assert.ok(w.x >= 0 && w.x <= image.width! && w.y >= 0 && w.y <= image.height!, `${w.word} at ${w.x}, ${w.y}`);
    await screenshot(page, 'caption-01-proposal');
    await page.getByTestId('caption-accept').click();
    await page.getByTestId('caption-row').waitFor();
    assert.equal(await page.getByTestId('caption-proposal').count(), 0);
    const stored = await hostCall(page, 'captions.list', { imageId: 1 });
    assert.equal(stored.length, 1);
    assert.deepEqual(
      stored[0]!.words.map((w) => w.word),
      proposed,
    );
    assert.notEqual(stored[0]!.source, 'manual');
    await page.keyboard.press('Control+z');
    await page.getByTestId('caption-row').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+y');
    await page.getByTestId('caption-row').waitFor();
  });

  it("a phrase finds its box (the caption head's point for it as a click), which can be added as a box annotation", async () => {
    await page.getByTestId('phrase-input').fill('medium red square');
    await page.getByTestId('phrase-find').click();
    await page.getByTestId('phrase-box').waitFor();
    await screenshot(page, 'caption-02-phrase-box');
    const before = (await hostCall(page, 'annotations.list', { imageId: 1 })).length;
    await page.getByTestId('phrase-add-box').click();
    await page.getByTestId('phrase-box').waitFor({ state: 'detached' });
    const after = await hostCall(page, 'annotations.list', { imageId: 1 });
    assert.equal(after.length, before + 1);
    const added = after.at(-1)!.geometry;
    assert.equal(added.kind, 'box');
    // the head's point for the phrase (every word has it) lies in the box its click gave
    const located = await hostCall(page, 'ai.caption', { imageId: 1, phrase: 'a medium red square' });
    assert.deepEqual(
      located.words.map((w) => w.word),
      ['medium', 'red', 'square'],
    );
    const { x, y } = located.words[1]!;
    const b = added.kind === 'box' ? added.box : { x: 0, y: 0, w: 0, h: 0 };
    assert.ok(x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h, `the point ${x}, ${y} lies in the box ${JSON.stringify(b)}`);
    // Find ranked the click's masks by these: one log-probability per box
    const scored = await hostCall(page, 'ai.phraseScores', {
      imageId: 1,
      phrase: 'medium red square',
      boxes: [[b.x, b.y, b.x + b.w, b.y + b.h]],
    });
    assert.equal(scored.scores.length, 1);
    assert.ok(Number.isFinite(scored.scores[0]) && scored.scores[0]! < 0, `log p ${scored.scores[0]}`);
  });

  it("Shift+C describes the selected annotation's box", async () => {
    const box = (await hostCall(page, 'annotations.list', { imageId: 1 })).at(-1)!;
    assert.equal(box.geometry.kind, 'box');
    const b = box.geometry.kind === 'box' ? box.geometry.box : { x: 0, y: 0, w: 0, h: 0 };
    await page.keyboard.press('v');
    await clickImage(page, b.x + b.w / 2, b.y + b.h / 2);
    await page.keyboard.press('Shift+C');
    await page.getByTestId('caption-proposal').waitFor();
    assert.match((await page.getByTestId('caption-proposal').textContent()) ?? '', /describes the box/);
    await page.getByTestId('caption-discard').click();
    assert.equal(await page.getByTestId('caption-proposal').count(), 0);
  });
});
