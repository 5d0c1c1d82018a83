// `npm run bench -- classical`: the classical mask tools (opencv.js, one
// thread) on this CPU: GrabCut on a 1024 px box (box alone, box + clicks
// with and without the remembered box run, a click alone), watershed with
// two regions and background, magic wand over the whole image and inside a
// box. Uses a real photograph from Debian's python3-skimage when installed
// (enlarged 2x so a 1024 px box fits on it), else a generated image of the
// same size. Target: GrabCut on a 1024 px box <= 1 s.
import { existsSync } from 'node:fs';

import { magicWand } from '../engine/worker/models/classical/floodFill.js';
import { GRABCUT_MAX_PIXELS, grabCutMask } from '../engine/worker/models/classical/grabCut.js';
import { loadOpenCv } from '../engine/worker/models/classical/opencv.js';
import { watershedRegions } from '../engine/worker/models/classical/watershed.js';
import { decodeRgb, resizeRgb, type RgbImage } from '../engine/worker/rgbImage.js';

const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/motorcycle_left.png';
const WIDTH = 1482;
const HEIGHT = 1000;

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}

function time(n: number, warmup: number, f: () => unknown): number[] {
  for (let i = 0; i < warmup; i++) f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

function report(name: string, ms: number[], target?: number): void {
  const { median, p95 } = stats(ms);
  const verdict = target === undefined ? '' : median <= target ? `  (target <= ${target} ms: met)` : `  (target <= ${target} ms: NOT met)`;
  console.log(`${name.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms${verdict}`);
}

/** A red ellipse on a two-green check with noise: the stand-in when no photograph is installed. */
function generatedImage(): RgbImage {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  let state = 1;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 24 - 12;
  };
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const inside = ((x - 612) / 480) ** 2 + ((y - 530) / 380) ** 2 <= 1;
      const base = inside ? [205, 50, 45] : ((x >> 5) + (y >> 5)) & 1 ? [95, 170, 95] : [60, 120, 70];
      for (let c = 0; c < 3; c++) data[(y * WIDTH + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise())));
    }
  }
  return { width: WIDTH, height: HEIGHT, data };
}

async function main(): Promise<void> {
  let t = performance.now();
  const cv = await loadOpenCv();
  console.log(`opencv.js load + compile: ${(performance.now() - t).toFixed(0)} ms`);
  let image: RgbImage;
  if (existsSync(PHOTO)) {
    t = performance.now();
    const photo = await decodeRgb(PHOTO);
    image = resizeRgb(photo, WIDTH, HEIGHT);
    console.log(
      `image: ${PHOTO} (${photo.width}x${photo.height}) enlarged to ${WIDTH}x${HEIGHT}, decode + resize ${(performance.now() - t).toFixed(0)} ms`,
    );
  } else {
    image = generatedImage();
    console.log(`image: generated ${WIDTH}x${HEIGHT} (install python3-skimage for a photograph)`);
  }
  // 1024 × 840 around the motorcycle (the ellipse, on the generated image).
  const box = [100, 100, 1124, 940] as const;
  console.log(`GrabCut works on at most ${GRABCUT_MAX_PIXELS} pixels (crop with 10% margin, shrunk); box ${box.join(', ')}`);
  // GrabCut remembers the last box run per image object; a shallow copy is a new object, so nothing is remembered.
  const fresh = (): RgbImage => ({ ...image });
  const clicks = { box, foreground: [[600, 560]] as [number, number][], background: [[1000, 250]] as [number, number][] };
  const boxOnly = grabCutMask(cv, fresh(), { box, foreground: [], background: [] });
  report(
    'GrabCut, 1024 px box',
    time(5, 1, () => grabCutMask(cv, fresh(), { box, foreground: [], background: [] })),
    1000,
  );
  report(
    'GrabCut, box + 2 clicks, box run remembered',
    time(5, 1, () => grabCutMask(cv, image, clicks)),
  );
  report(
    'GrabCut, box + 2 clicks, from scratch',
    time(5, 1, () => grabCutMask(cv, fresh(), clicks)),
  );
  report(
    'GrabCut, 1 click, no box (whole image)',
    time(5, 1, () => grabCutMask(cv, image, { foreground: [[600, 560]], background: [] })),
  );
  console.log(`  (box mask: ${boxOnly.area} px in ${boxOnly.box.w}x${boxOnly.box.h})`);
  const scribbles = [
    {
      region: 0,
      points: [
        [400, 560],
        [800, 560],
      ] as [number, number][],
    },
    {
      region: 1,
      points: [
        [1300, 300],
        [1350, 500],
      ] as [number, number][],
    },
  ];
  report(
    `watershed, 2 regions + border (${WIDTH}x${HEIGHT} -> 1024)`,
    time(5, 1, () => watershedRegions(cv, image, scribbles)),
  );
  report(
    'magic wand, whole image, tolerance 20',
    time(10, 2, () => magicWand(cv, image, { x: 600, y: 560 }, 20)),
  );
  report(
    'magic wand, inside the box, tolerance 20',
    time(10, 2, () => magicWand(cv, image, { x: 600, y: 560 }, 20, box)),
  );
}

void main();
