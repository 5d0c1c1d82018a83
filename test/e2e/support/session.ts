// One browser-mode session for a test file: the real host on a fresh copy of
// the sample images, Debian's Chromium, and one page on the host's URL.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { launchChromium } from './browser.js';
import { waitForImage } from './canvas.js';
import { type RunningHost, sampleProject, startHost } from './host.js';

export interface BrowserSessionOptions {
  /** How many sample images the project folder gets (the first ones by name). */
  images: number;
  /** The synthetic samples (default) or the real photographs. */
  from?: 'samples' | 'photos';
}

export interface OpenSessionOptions extends BrowserSessionOptions {
  /** Labels to create, in order, once the first image is open: hotkey 1 is the first. */
  labels?: readonly string[];
}

export interface BrowserSession {
  /** The project folder the host serves. */
  readonly project: string;
  /** The host's user-data folder, kept across host restarts. */
  readonly userData: string;
  /** The running host; a test that restarts it assigns the new one, so that close() stops that. */
  host: RunningHost;
  readonly browser: Browser;
  readonly page: Page;
  /** Closes the browser, then stops the current host. */
  close(): Promise<void>;
}

/**
 * The synthetic samples are the demo project's images, made for the built-in
 * demo model: choose it for this project as a user would (a project that is
 * not the demo starts on the best real model installed, the classical tools here).
 */
function seedDemoModel(project: string, userData: string): void {
  mkdirSync(userData, { recursive: true });
  const projectModels = Object.fromEntries([resolve(project), realpathSync(project)].map((dir) => [dir, 'shapes-seem-tiny']));
  writeFileSync(join(userData, 'engine-settings.json'), JSON.stringify({ projectModels }));
}

/** The host and a blank page, nothing navigated yet: for tests whose first step is opening the project. */
export async function startBrowserSession({ images, from = 'samples' }: BrowserSessionOptions): Promise<BrowserSession> {
  if (!Number.isInteger(images) || images < 1)
    throw new Error(`a session needs a whole number of sample images, at least 1 (got ${images})`);
  const project = sampleProject(images, from);
  const userData = join(dirname(project), `${basename(project)}-user`);
  if (from === 'samples') seedDemoModel(project, userData);
  const host = await startHost(project, userData);
  let browser: Browser | undefined;
  let page: Page;
  try {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  } catch (error) {
    await browser?.close();
    await host.stop();
    throw error;
  }
  const opened = browser;
  page.on('pageerror', (error) => console.error('page error:', error));
  const session: BrowserSession = {
    project,
    userData,
    host,
    browser: opened,
    page,
    async close() {
      await opened.close();
      await session.host.stop();
    },
  };
  return session;
}

/**
 * A session with the project open on its first image, `labels` created, and
 * the keyboard handed back to the canvas (so tool hotkeys reach it).
 */
export async function openBrowserSession({ labels = [], ...options }: OpenSessionOptions): Promise<BrowserSession> {
  if (new Set(labels).size !== labels.length) throw new Error(`label names must differ: ${labels.join(', ')}`);
  const session = await startBrowserSession(options);
  try {
    const { page } = session;
    await page.goto(session.host.url);
    await page.getByTestId('image-item').first().click();
    await waitForImage(page, 1);
    for (const name of labels) {
      await page.getByTestId('label-new-name').fill(name);
      await page.getByTestId('label-add').click();
      await page.locator(`[data-testid="label-item"][data-label-name="${name}"]`).waitFor();
    }
    await page.getByTestId('canvas').click({ position: { x: 2, y: 2 } });
    return session;
  } catch (error) {
    // The caller never gets the session, so its after() hook cannot close it.
    await session.close();
    throw error;
  }
}
