// Two browser tabs (two browser contexts) on one project in browser mode:
// each sees the other's changes within a second; a stale edit (made while
// the tab missed the other's change) is refused and the annotation reloaded;
// undo in one tab never undoes the other tab's work.
import assert from 'node:assert/strict';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import type { Annotation, Label } from '../../common/contract/index.js';
import { Project } from '../../core/store/project.js';
import { chromiumMissing, launchChromium, screenshot } from './support/browser.js';
import { dragImage, waitForImage } from './support/canvas.js';
import { type RunningHost, sampleProject, startHost } from './support/host.js';
import { hostCall } from './support/hostCall.js';

const skip = chromiumMissing();
/** How soon the other tab must show a change. */
const SEEN_WITHIN_MS = 1000;

describe('two tabs on one project', { skip }, () => {
  let host: RunningHost;
  let projectDir: string;
  let browser: Browser;
  let a: Page;
  let b: Page;
  /** While true, tab B's WebSocket drops 'document.changed' events: B goes stale, as a tab that missed a change. */
  let bMissesEvents = false;
  const timings: Record<string, number> = {};

  const items = (page: Page) => page.getByTestId('annotation-item');
  const labelShown = (page: Page, name: string) => page.locator(`[data-testid="annotation-item"][data-label-name="${name}"]`);
  const saved = (page: Page) => page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
  /** Waits for `condition` in the other tab, at most SEEN_WITHIN_MS after `since`, and records how long it took. */
  const seenWithin = async (name: string, since: number, condition: Promise<unknown>) => {
    await condition;
    timings[name] = Date.now() - since;
    assert.ok(timings[name] <= SEEN_WITHIN_MS, `${name}: the other tab took ${timings[name]} ms`);
  };
  const storedAnnotations = async (page: Page): Promise<Annotation[]> => hostCall(page, 'annotations.list', { imageId: 1 });
  const labelNamed = async (page: Page, name: string): Promise<Label> =>
    (await hostCall(page, 'labels.list', {})).find((l) => l.name === name)!;
  const relabelFirst = (page: Page, name: string) => page.getByTestId('annotation-label').first().selectOption({ label: name });

  const openTab = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(host.url);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page, 1);
    return page;
  };

  before(async () => {
    projectDir = sampleProject(2);
    host = await startHost(projectDir, join(dirname(projectDir), `${basename(projectDir)}-user`));
    browser = await launchChromium();
    const contextA = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const contextB = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await contextB.routeWebSocket(/\/ws\b/, (page) => {
      const server = page.connectToServer();
      page.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (bMissesEvents && typeof message === 'string' && message.includes('"event":"document.changed"')) return;
        page.send(message);
      });
    });
    a = await openTab(contextA);
    b = await openTab(contextB);
  });
  after(async () => {
    if (Object.keys(timings).length > 0) console.log('the other tab saw each change after (ms):', JSON.stringify(timings));
    await browser?.close();
    await host?.stop();
  });

  it('shows labels and a drawn box in the other tab within a second', async () => {
    for (const name of ['cat', 'dog', 'bird']) {
      await a.getByTestId('label-new-name').fill(name);
      const since = Date.now();
      await a.getByTestId('label-add').click();
      await seenWithin(
        `label ${name}`,
        since,
        b.locator(`[data-testid="label-item"][data-label-name="${name}"]`).waitFor({ timeout: SEEN_WITHIN_MS }),
      );
    }
    await a.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    await a.keyboard.press('1');
    await a.getByTestId('tool-box').click();
    const since = Date.now(); // each time from before the action, so the figure is an upper bound
    await dragImage(a, [20, 20], [80, 70]);
    await seenWithin('box drawn', since, labelShown(b, 'cat').waitFor({ timeout: SEEN_WITHIN_MS }));
    await b.getByTestId('image-item').first().filter({ hasText: '1 ann.' }).waitFor({ timeout: SEEN_WITHIN_MS });
  });

  it('shows a relabel in the other tab within a second', async () => {
    const since = Date.now();
    await relabelFirst(a, 'dog');
    await seenWithin('relabel', since, labelShown(b, 'dog').waitFor({ timeout: SEEN_WITHIN_MS }));
    await saved(a);
  });

  it('refuses a stale edit and reloads the annotation in that tab', async () => {
    bMissesEvents = true;
    await relabelFirst(a, 'cat');
    await saved(a);
    // B missed that change: it still shows dog, and edits on top of it.
    assert.equal(await items(b).first().getAttribute('data-label-name'), 'dog');
    await relabelFirst(b, 'bird');
    await b.getByTestId('toast').filter({ hasText: 'changed in another window' }).waitFor();
    await labelShown(b, 'cat').waitFor(); // reloaded from main
    bMissesEvents = false;
    const cat = await labelNamed(a, 'cat');
    assert.deepEqual(
      (await storedAnnotations(a)).map((x) => x.labelId),
      [cat.id],
      "A's label was kept",
    );
    await screenshot(b, 'two-clients-stale-refused');
  });

  it("undo in one tab does not undo the other tab's work; each undoes its own", async () => {
    let since = Date.now();
    await relabelFirst(b, 'bird');
    await seenWithin('relabel back', since, labelShown(a, 'bird').waitFor({ timeout: SEEN_WITHIN_MS }));
    await saved(b);

    // A's undo history is all about this annotation, which B has changed since: every step is refused and dropped.
    await a.keyboard.press('Control+z');
    await a.getByTestId('toast').filter({ hasText: 'Undo skipped' }).first().waitFor();
    const bird = await labelNamed(a, 'bird');
    assert.deepEqual(
      (await storedAnnotations(a)).map((x) => x.labelId),
      [bird.id],
      "B's label stays",
    );
    assert.equal(await items(a).first().getAttribute('data-label-name'), 'bird');
    assert.equal(await items(b).first().getAttribute('data-label-name'), 'bird');

    // B's undo reverts B's own change, and A sees it.
    await b.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    since = Date.now();
    await b.keyboard.press('Control+z');
    await seenWithin('undo in the other tab', since, labelShown(a, 'cat').waitFor({ timeout: SEEN_WITHIN_MS }));
    const cat = await labelNamed(a, 'cat');
    assert.deepEqual(
      (await storedAnnotations(a)).map((x) => x.labelId),
      [cat.id],
    );

    // And a box B draws appears in A, with the count in A's image list.
    await b.getByTestId('tool-box').click();
    since = Date.now();
    await dragImage(b, [100, 30], [150, 80]);
    await seenWithin(
      'box drawn in the other tab',
      since,
      a.getByTestId('image-item').first().filter({ hasText: '2 ann.' }).waitFor({ timeout: SEEN_WITHIN_MS }),
    );
    assert.equal(await items(a).count(), 2);
    await screenshot(a, 'two-clients-after-undo');
  });

  it('shows a change another program made to the project (a CLI, the app) in both tabs', async () => {
    const other = Project.open(projectDir);
    const since = Date.now();
    try {
      const dog = other.labels().find((l) => l.name === 'dog')!;
      const [first] = other.annotations(1);
      other.apply([{ type: 'annotation.put', annotation: { ...first!, labelId: dog.id } }]);
    } finally {
      other.close();
    }
    // Another process has no way to call this host: the host notices the commit (polling) and the tabs reload.
    const within = { timeout: 2 * SEEN_WITHIN_MS };
    await Promise.all([labelShown(a, 'dog').waitFor(within), labelShown(b, 'dog').waitFor(within)]);
    timings['change by another program'] = Date.now() - since;
  });
});
