// Regenerates docs/screenshot.png: the real app in browser mode on a copy of
// the sample images, with their ground truth imported from COCO.
//   node --import tsx scripts/readme-screenshot.ts   (after `npm run build`)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../test/e2e/support/browser.js';
import { waitForImage } from '../test/e2e/support/canvas.js';
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
    await page.getByTestId('image-item').nth(3).click();
    await waitForImage(page);
    await page.locator('[data-testid="annotation-item"][data-kind="polygon"]').first().click({ position: { x: 8, y: 8 } });
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
