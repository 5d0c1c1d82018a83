// Benchmark: open a 10,000-image folder, export 200,000 annotations as COCO,
// import them into a fresh project. Prints seconds; no thresholds. When
// python3 can import pycocotools, its load + annToRLE of every annotation of
// the same file is timed right after our import, and the ratio printed (the
// issue's target: import ÷ pycocotools ≤ 1.0); otherwise that is skipped with a note.
//   node --import tsx scripts/bench-coco.ts [imageCount]
// Set KEEP_BENCH=1 to keep the temp folders (printed) for profiling.
// Targets on the 2-core dev machine: export ≤ 3 s, import ≤ 5 s.
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import type { DocOp, Label } from '../common/contract/index.js';
import { rasterisePolygons } from '../common/geometry/polygon.js';
import { maskToRle } from '../common/geometry/rle.js';
import { exportCoco } from '../core/coco/export.js';
import { importCoco } from '../core/coco/import.js';
import { Project } from '../core/store/project.js';

const IMAGES = Number(process.argv[2] ?? 10_000);
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
  console.log(`${what.padEnd(48)} ${seconds(start).toFixed(2)} s  (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`);
  return result;
};

let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

/** A wobbly closed ring of n vertices around (cx, cy), inside the image. */
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

async function makeFolder(dir: string, source: string, link: boolean): Promise<void> {
  for (let i = 0; i < IMAGES; i++) {
    const sub = join(dir, `batch${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    (link ? linkSync : copyFileSync)(source, join(sub, `img${i}.png`));
  }
}

/** pycocotools' COCO(file) + annToRLE of every annotation, timed in Python; skipped with a note when it is not importable. */
function comparePycocotools(file: string, importSeconds: number, importCpuSeconds: number): void {
  const script = [
    'import sys, time',
    'from pycocotools.coco import COCO',
    't = time.perf_counter()',
    'p = time.process_time()',
    'c = COCO(sys.argv[1])',
    "for a in c.dataset['annotations']: c.annToRLE(a)",
    'print(time.perf_counter() - t, time.process_time() - p)',
  ].join('\n');
  // The PATH's python3 first, then Debian's (where the project's Python tooling lives).
  let python = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (python.status !== 0) python = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
  const lastLine = python.stdout?.trim().split('\n').at(-1) ?? '';
  const [pySeconds, pyCpuSeconds] = lastLine.split(' ').map(Number) as [number, number];
  if (python.status !== 0 || !Number.isFinite(pySeconds)) {
    const why = python.error ? python.error.message : (python.stderr ?? '').trim().split('\n').at(-1);
    console.log(`pycocotools comparison skipped: python3 with pycocotools is not available here (${why}).`);
    return;
  }
  console.log(
    `${'pycocotools COCO() + annToRLE of every annotation'.padEnd(48)} ${pySeconds.toFixed(2)} s  (CPU ${pyCpuSeconds.toFixed(2)} s)`,
  );
  console.log(
    `  import ÷ pycocotools = ${(importSeconds / pySeconds).toFixed(2)} wall, ${(importCpuSeconds / pyCpuSeconds).toFixed(2)} CPU (sizes known; target ≤ 1.0)`,
  );
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'promptlabel-bench-'));
  try {
    const source = join(root, 'source.png');
    await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(source);
    const first = join(root, 'first');
    await time(`write ${IMAGES} image files`, () => makeFolder(first, source, false));

    const project = await time(`open a ${IMAGES}-image folder (new db + scan)`, () => Project.open(first));
    project.close();
    const reopened = await time('reopen it (rescan of known files)', () => Project.open(first));

    const labels: Label[] = Array.from({ length: 10 }, (_, i) => ({
      id: `label${i}`,
      name: `class ${i}`,
      colour: '#336699',
      hotkey: null,
    }));
    const masks = Array.from({ length: DISTINCT_MASKS }, () =>
      maskToRle(rasterisePolygons([{ outer: randomBlob(), holes: [] }], HEIGHT, WIDTH), HEIGHT, WIDTH),
    );
    const images = reopened.listImages({ offset: 0, limit: IMAGES }).items;
    const ops: DocOp[] = labels.map((label) => ({ type: 'label.put', label }));
    let n = 0;
    for (const image of images) {
      for (let k = 0; k < PER_IMAGE; k++) {
        const geometry =
          k % 2 === 0
            ? { kind: 'polygon' as const, polygons: [{ outer: randomBlob(), holes: [] }] }
            : { kind: 'mask' as const, rle: masks[n % DISTINCT_MASKS]! };
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
    await time(`apply ${n} annotation.put ops (one transaction)`, () => reopened.apply(ops));

    const out = join(root, 'export.json');
    await time('export COCO (image sizes unknown: reads headers)', () => exportCoco(reopened, { outPath: out }));
    const summary = await time('export COCO again (sizes known)', () => exportCoco(reopened, { outPath: out, overwrite: true }));
    console.log(`  ${summary.annotations} annotations, ${(statSync(out).size / 1e6).toFixed(1)} MB`);
    reopened.close();

    const second = join(root, 'second');
    await makeFolder(second, source, true);
    const fresh = Project.open(second);
    const imported = await time('import COCO into a fresh project (reads headers)', () => importCoco(fresh, out));
    console.log(`  ${imported.annotations} annotations on ${imported.images} images`);
    fresh.close();
    // Sizes known: the same project with its annotations gone (what a re-import costs without duplicates to look up).
    const again = Project.open(second);
    again.db.exec('DELETE FROM annotations; DELETE FROM coco_annotations');
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const secondImport = await time('import COCO again (sizes known)', () => importCoco(again, out));
    const ours = seconds(start);
    const used = process.cpuUsage(cpu);
    const oursCpu = (used.user + used.system) / 1e6;
    console.log(`  ${secondImport.annotations} annotations`);
    const skipped = await time('import it once more (all duplicates, skipped)', () => importCoco(again, out));
    console.log(`  ${skipped.duplicates.found} duplicates found, ${skipped.annotations} written`);
    again.close();
    comparePycocotools(out, ours, oursCpu);
  } finally {
    if (process.env.KEEP_BENCH) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

void main();
