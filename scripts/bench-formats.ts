// Benchmark: YOLO and labelme export and import of 10,000 images × 20
// annotations of the shapes these formats hold natively (half polygons of
// 20–40 vertices, half boxes), then the same on 1,000 images with half masks
// (as bench-coco), where every mask is traced into its outline (YOLO) or cut
// into a PNG (labelme). Prints seconds; no thresholds. Target on the dev
// machine: each ≤ 5 s for the 10,000-image run.
//   node --import tsx scripts/bench-formats.ts [imageCount] [maskImageCount]
// Set KEEP_BENCH=1 to keep the temp folders (printed) for profiling.
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import type { DatasetFormat, DocOp, Label } from '../common/contract/index.js';
import { rasterisePolygons } from '../common/geometry/polygon.js';
import { maskToRle } from '../common/geometry/rle.js';
import { exportDataset } from '../core/formats/exportDataset.js';
import { importDataset } from '../core/formats/importDataset.js';
import { Project } from '../core/store/project.js';

const IMAGES = Number(process.argv[2] ?? 10_000);
const MASK_IMAGES = Number(process.argv[3] ?? 1_000);
const WIDTH = 640;
const HEIGHT = 480;
const PER_IMAGE = 20;
const DISTINCT_MASKS = 64; // rasterising 100k distinct masks would time the generator, not the code under test

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
/** Wall seconds, and this process's CPU seconds (user + system, all threads) beside them: on a shared machine the CPU time is the fairer figure. */
const time = async <T>(what: string, work: () => T | Promise<T>): Promise<T> => {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  console.log(`${what.padEnd(52)} ${seconds(start).toFixed(2)} s  (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`);
  return result;
};

let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

function blob(n: number, cx: number, cy: number, radius: number): number[] {
  const ring: number[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (i / n) * 2 * Math.PI;
    const r = radius * (0.7 + 0.3 * random());
    ring.push(Math.round((cx + r * Math.cos(angle)) * 10) / 10, Math.round((cy + r * Math.sin(angle)) * 10) / 10);
  }
  return ring;
}

const randomBlob = () => blob(20 + Math.floor(random() * 21), 100 + random() * 440, 100 + random() * 280, 30 + random() * 60);

function makeFolder(dir: string, source: string, link: boolean, count: number): void {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `batch${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    (link ? linkSync : copyFileSync)(source, join(sub, `img${i}.png`));
  }
}

async function scenario(root: string, source: string, name: string, count: number, second: 'box' | 'mask'): Promise<void> {
  const first = join(root, `${name}-project`);
  makeFolder(first, source, true, count);
  const project = Project.open(first);
  const labels: Label[] = Array.from({ length: 10 }, (_, i) => ({ id: `label${i}`, name: `class ${i}`, colour: '#336699', hotkey: null }));
  const masks = Array.from({ length: DISTINCT_MASKS }, () =>
    maskToRle(rasterisePolygons([{ outer: randomBlob(), holes: [] }], HEIGHT, WIDTH), HEIGHT, WIDTH),
  );
  const ops: DocOp[] = labels.map((label) => ({ type: 'label.put', label }));
  let n = 0;
  for (const image of project.listImages({ offset: 0, limit: count }).items) {
    for (let k = 0; k < PER_IMAGE; k++) {
      const box = { x: 10 + random() * 400, y: 10 + random() * 300, w: 20 + random() * 200, h: 20 + random() * 150 };
      const geometry =
        k % 2 === 0
          ? { kind: 'polygon' as const, polygons: [{ outer: randomBlob(), holes: [] }] }
          : second === 'mask'
            ? { kind: 'mask' as const, rle: masks[n % DISTINCT_MASKS]! }
            : { kind: 'box' as const, box };
      ops.push({
        type: 'annotation.put',
        annotation: {
          id: `a${n++}`,
          imageId: image.id,
          labelId: `label${k % 10}`,
          geometry,
          score: null,
          source: 'bench',
          createdAt: n,
          updatedAt: n,
          revision: 0,
        },
      });
    }
  }
  project.apply(ops);
  console.log(`\n${name}: ${count} images × ${PER_IMAGE} annotations = ${n} (half polygons, half ${second === 'box' ? 'boxes' : 'masks'})`);
  await exportDataset(project, 'yolo', { outPath: join(root, `${name}-warm`) }); // reads and stores the image sizes once

  for (const format of ['yolo', 'labelme'] as DatasetFormat[]) {
    const out = join(root, `${name}-${format}-out`);
    const exported = await time(`export ${format}`, () => exportDataset(project, format, { outPath: out }));
    console.log(
      `  ${exported.annotations} annotations, ${exported.files} files; ${exported.dropped.map((d) => `${d.count} ${d.what}`).join('; ') || 'nothing dropped'}`,
    );
    const target = join(root, `${name}-${format}-target`);
    makeFolder(target, source, true, count);
    const fresh = Project.open(target);
    const imported = await time(`import ${format} into a fresh project (reads headers)`, () => importDataset(fresh, format, out));
    console.log(`  ${imported.annotations} annotations on ${imported.images} images`);
    await time(`import ${format} again (sizes known)`, () => importDataset(fresh, format, out));
    fresh.close();
  }
  project.close();
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-bench-formats-'));
  try {
    const source = join(root, 'source.png');
    await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(source);
    await scenario(root, source, 'polygons and boxes', IMAGES, 'box');
    if (MASK_IMAGES > 0) await scenario(root, source, 'polygons and masks', MASK_IMAGES, 'mask');
  } finally {
    if (process.env.KEEP_BENCH) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

void main();
