// The same flow in the real Electron window, where Electron's binary exists.
// On machines without it (CI here: no download possible) it reports itself skipped.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { _electron as electron } from 'playwright-core';

import { screenshot } from './support/browser.js';
import { dragImage, waitForImage } from './support/canvas.js';
import { repoRoot, sampleProject } from './support/host.js';

function electronBinary(): string | null {
  try {
    const path = createRequire(__filename)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY;
const skip = !binary
  ? "Electron's binary is not installed (its download is impossible on this machine); the browser-mode tests cover the same handlers and renderer"
  : noDisplay
    ? 'no display: run under xvfb-run to test the Electron window'
    : false;

describe('Electron window', { skip }, () => {
  it('opens a project, draws a labeled box, and finds it after a restart', async () => {
    const project = sampleProject(2);
    const userData = mkdtempSync(join(tmpdir(), 'promptlabel-electron-'));
    const launch = () =>
      electron.launch({
        executablePath: binary ?? undefined,
        args: [repoRoot, '--project', project, '--no-sandbox'],
        env: { ...process.env, PROMPTLABEL_USER_DATA: userData },
      });

    let app = await launch();
    let page = await app.firstWindow();
    assert.equal(
      await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
      'undefined',
      'no Node in the renderer',
    );
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await page.getByTestId('label-new-name').fill('thing');
    await page.getByTestId('label-add').click();
    await page.keyboard.press('1');
    await page.getByTestId('tool-box').click();
    await dragImage(page, [10, 10], [60, 50]);
    await page.locator('[data-testid="annotation-item"][data-label-name="thing"]').waitFor();
    await screenshot(page, 'electron-01-box');
    await app.close();

    app = await launch();
    page = await app.firstWindow();
    await page.getByTestId('image-item').first().click();
    await waitForImage(page);
    await page.locator('[data-testid="annotation-item"][data-label-name="thing"]').waitFor();
    await app.close();
  });
});
