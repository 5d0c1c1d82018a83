// Regenerates docs/screenshot.png: the real app in browser mode on a copy of
// the sample images, with their ground truth imported from COCO, and the AI
// tool showing a labelled candidate for a click on an unlabelled object.
//   node --import tsx scripts/readme-screenshot.ts   (after `npm run build`)
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from '../test/e2e/support/browser.js';
import { clickImage, waitForImage } from '../test/e2e/support/canvas.js';
import { repoRoot, sampleProject, startHost } from '../test/e2e/support/host.js';
import { hostCall } from '../test/e2e/support/hostCall.js';

async function main(): Promise<void> {
  const project = sampleProject(24);
  const host = await startHost(project);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(host.url);
    await hostCall(page, 'coco.import', { path: join(repoRoot, 'assets', 'samples', 'annotations.coco.json') });
    await page.reload();
    await page.getByTestId('image-item').nth(0).click();
    await waitForImage(page, 1);
    // Make room for the candidate: drop the imported yellow star, then click it with the AI tool.
    const star = page.locator('[data-testid="annotation-item"][data-label-name="yellow star"]').first();
    await star.click({ position: { x: 8, y: 8 } });
    await page.keyboard.press('Delete');
    await page.keyboard.press('i');
    await page.locator('[data-testid="engine-status"][data-worker="ready"]').waitFor({ timeout: 30_000 });
    await clickImage(page, 109, 223);
    await page.waitForFunction(() => {
      const panel = document.querySelector<HTMLElement>('[data-testid="prompt-panel"]');
      return (panel?.dataset.candidateSetId ?? '') !== '' && panel?.dataset.pending === '0';
    });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(repoRoot, 'docs', 'screenshot.png') });
    console.log('wrote docs/screenshot.png');
  } finally {
    await browser.close();
    await host.stop();
    rmSync(project, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
