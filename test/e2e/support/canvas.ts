// Image-pixel ↔ page coordinates through the view transform the canvas
// publishes on its container (data-scale, data-offset-x, data-offset-y).
import type { Page } from 'playwright-core';

export async function waitForImage(page: Page, imageId?: number): Promise<void> {
  const selector =
    imageId === undefined ? '[data-testid="canvas"][data-ready="1"]' : `[data-testid="canvas"][data-ready="1"][data-image-id="${imageId}"]`;
  await page.waitForSelector(selector, { timeout: 20_000 });
}

export async function toPage(page: Page, ix: number, iy: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('canvas not visible');
  const read = async (name: string) => Number(await canvas.getAttribute(name));
  const [scale, offsetX, offsetY] = await Promise.all([read('data-scale'), read('data-offset-x'), read('data-offset-y')]);
  return { x: box.x + offsetX + ix * scale, y: box.y + offsetY + iy * scale };
}

export async function clickImage(page: Page, ix: number, iy: number): Promise<void> {
  const { x, y } = await toPage(page, ix, iy);
  await page.mouse.click(x, y);
}

export async function dragImage(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const a = await toPage(page, from[0], from[1]);
  const b = await toPage(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  for (let step = 1; step <= 8; step++) await page.mouse.move(a.x + ((b.x - a.x) * step) / 8, a.y + ((b.y - a.y) * step) / 8);
  await page.mouse.up();
}
