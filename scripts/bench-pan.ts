// Frame time while panning a very large image with 2,000 polygons, in headless
// Chromium against the real browser-mode host. Vsync and the frame-rate cap
// are off so each frame's interval is the cost of drawing it. Target ≤ 16 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import type { DocOp } from '../common/contract/index.js';
import { startBrowserHost } from '../electron/browser/server.js';
import { createHost } from '../electron/host/createHost.js';

const WIDTH = 8000;
const HEIGHT = 6000;
const POLYGONS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), 'promptlabel-bench-pan-'));
  const userData = mkdtempSync(join(tmpdir(), 'promptlabel-bench-user-'));
  try {
    await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#406080' } })
      .composite([{ input: await sharp({ create: { width: 800, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer(), tile: true, blend: 'overlay' }])
      .jpeg({ quality: 85 })
      .toFile(join(project, 'huge.jpg'));

    const host = createHost({ mode: 'browser', userDataDir: userData });
    const opened = await host.dispatch('project.open', { dir: project });
    if (!opened.ok) throw new Error(opened.error.message);
    const now = Date.now();
    const ops: DocOp[] = [{ type: 'label.put', label: { id: 'bench', name: 'bench', colour: '#22c55e', hotkey: '1' } }];
    for (let i = 0; i < POLYGONS; i++) {
      const cx = 100 + (i % 50) * 155;
      const cy = 100 + Math.floor(i / 50) * 145;
      const outer: number[] = [];
      for (let k = 0; k < 24; k++) {
        const angle = (k / 24) * Math.PI * 2;
        const radius = 50 + 15 * Math.sin(angle * 3 + i);
        outer.push(cx + radius * Math.cos(angle), cy + radius * Math.sin(angle));
      }
      ops.push({
        type: 'annotation.put',
        annotation: { id: `p${i}`, imageId: 1, labelId: 'bench', geometry: { kind: 'polygon', polygons: [{ outer, holes: [] }] }, score: null, source: 'manual', createdAt: now, updatedAt: now },
      });
    }
    const applied = await host.dispatch('document.apply', { ops });
    if (!applied.ok) throw new Error(applied.error.message);
    const server = await startBrowserHost({
      port: 0,
      token: 'bench-token',
      rendererDir: join(__dirname, '..', 'dist', 'renderer'),
      dispatch: host.dispatch,
      events: host.session.events,
      imageBytes: host.imageBytes,
    });

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu-vsync', '--disable-frame-rate-limit'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.url);
    await page.getByTestId('image-item').first().click();
    await page.waitForSelector('[data-testid="canvas"][data-ready="1"]', { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length > 0, undefined, { timeout: 60_000 });
    const canvas = await page.getByTestId('canvas').boundingBox();
    if (!canvas) throw new Error('no canvas');

    for (const zoom of ['fit', 'zoomed 4x']) {
      if (zoom !== 'fit') {
        await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
        for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -240);
        await page.waitForTimeout(300);
      }
      await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __recording: boolean };
        w.__frames = [];
        w.__recording = true;
        const tick = (t: number) => {
          if (!w.__recording) return;
          w.__frames.push(t);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      // Pan with the middle button for ~2 s, back and forth.
      const cx = canvas.x + canvas.width / 2;
      const cy = canvas.y + canvas.height / 2;
      await page.mouse.move(cx, cy);
      await page.mouse.down({ button: 'middle' });
      for (let step = 0; step < 240; step++) {
        const phase = (step / 240) * Math.PI * 4;
        await page.mouse.move(cx + 300 * Math.sin(phase), cy + 200 * Math.cos(phase));
      }
      await page.mouse.up({ button: 'middle' });
      const frames = await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __recording: boolean };
        w.__recording = false;
        return w.__frames;
      });
      const intervals = frames.slice(1).map((t, i) => t - (frames[i] ?? t)).sort((a, b) => a - b);
      console.log(
        `pan (${zoom}), ${POLYGONS} polygons on ${WIDTH}×${HEIGHT}: ${intervals.length} frames, frame time p50 ${percentile(intervals, 50).toFixed(1)} ms, p95 ${percentile(intervals, 95).toFixed(1)} ms, max ${(intervals.at(-1) ?? NaN).toFixed(1)} ms (target ≤ 16 ms)`,
      );
    }
    await browser.close();
    await server.close();
    host.session.close();
  } finally {
    rmSync(project, { recursive: true, force: true });
    rmSync(userData, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
