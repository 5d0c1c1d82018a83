// Frame time while panning a very large image with 2,000 polygons, in headless
// Chromium against the real browser-mode host. Vsync and the frame-rate cap
// are off so each frame's interval is the cost of drawing it. Target ≤ 16 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';
import sharp from 'sharp';

import type { DocOp } from '../common/contract/index.js';
import { createHost } from '../core/host/createHost.js';
import { startBrowserHost } from '../server/server.js';

const WIDTH = 8000;
const HEIGHT = 6000;
const POLYGONS = Number(process.env.BENCH_PAN_POLYGONS ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), 'promptlabel-bench-pan-'));
  const userData = mkdtempSync(join(tmpdir(), 'promptlabel-bench-user-'));
  try {
    await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#406080' } })
      .composite([
        {
          input: await sharp({
            create: { width: 800, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
          })
            .png()
            .toBuffer(),
          tile: true,
          blend: 'overlay',
        },
      ])
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
        annotation: {
          id: `p${i}`,
          imageId: 1,
          labelId: 'bench',
          geometry: { kind: 'polygon', polygons: [{ outer, holes: [] }] },
          score: null,
          source: 'manual',
          createdAt: now,
          updatedAt: now,
          revision: 0,
        },
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
    if (POLYGONS > 0) {
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="annotation-item"]').length > 0, undefined, {
        timeout: 60_000,
      });
    }
    const canvas = await page.getByTestId('canvas').boundingBox();
    if (!canvas) throw new Error('no canvas');

    const cx = canvas.x + canvas.width / 2;
    const cy = canvas.y + canvas.height / 2;
    // A string, not a function: tsx would wrap a named inner function in a
    // helper (__name) that does not exist in the page.
    const startRecording = () =>
      page.evaluate(`(() => {
        window.__frames = [];
        window.__recording = true;
        const tick = (t) => {
          if (!window.__recording) return;
          window.__frames.push(t);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })()`);
    const report = async (what: string) => {
      const frames = await page.evaluate<number[]>('(() => { window.__recording = false; return window.__frames; })()');
      const intervals = frames
        .slice(1)
        .map((t, i) => t - (frames[i] ?? t))
        .sort((a, b) => a - b);
      const scale = Number(await page.getByTestId('canvas').getAttribute('data-scale')).toFixed(3);
      console.log(
        `${what} (scale ${scale}), ${POLYGONS} polygons on ${WIDTH}×${HEIGHT}: ${intervals.length} frames, frame time p50 ${percentile(intervals, 50).toFixed(1)} ms, p95 ${percentile(intervals, 95).toFixed(1)} ms, max ${(intervals.at(-1) ?? NaN).toFixed(1)} ms (target ≤ 16 ms)`,
      );
    };
    // Pan with the middle button, back and forth (240 pointer moves).
    const pan = async () => {
      await page.mouse.move(cx, cy);
      await page.mouse.down({ button: 'middle' });
      for (let step = 0; step < 240; step++) {
        const phase = (step / 240) * Math.PI * 4;
        await page.mouse.move(cx + 300 * Math.sin(phase), cy + 200 * Math.cos(phase));
      }
      await page.mouse.up({ button: 'middle' });
    };

    await startRecording();
    await pan();
    await report('pan at fit');

    await page.mouse.move(cx, cy);
    await startRecording();
    for (let i = 0; i < 120; i++) await page.mouse.wheel(0, i % 40 < 20 ? -40 : 40);
    await report('wheel zoom in and out');

    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -240);
    await page.waitForTimeout(400);
    await startRecording();
    await pan();
    await report('pan zoomed in');
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
