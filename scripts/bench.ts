// `npm run bench -- <name>`: runs one benchmark script (or all). Benchmarks
// print figures; speed targets live here, never in tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const benches: Record<string, { file: string; about: string }> = {
  coco: { file: 'bench-coco.ts', about: 'COCO export/import of 10,000 images × 20 annotations; opening a 10,000-image folder' },
  dataset: {
    file: 'bench-dataset.ts',
    about: 'dataset view first paint and review-filter queries on 10,000 images × 20 annotations (SQL and headless Chromium)',
  },
  formats: { file: 'bench-formats.ts', about: 'YOLO and labelme export/import of 10,000 images × 20 annotations (target ≤ 5 s each)' },
  pan: { file: 'bench-pan.ts', about: 'frame time while panning an 8000×6000 image with 2,000 polygons (headless Chromium)' },
  models: { file: 'bench-models.ts', about: 'built-in ONNX encoder / decoder / text encoder latency (onnxruntime-node, CPU)' },
  foreground: {
    file: 'bench-foreground.ts',
    about: 'opt-in foreground model (ISNet) on the real photographs: first box run and cached crop (skips when not installed)',
  },
  interactive: {
    file: 'bench-interactive.ts',
    about: 'click → mask through the inference worker and in the browser (features cached), encoder, cache hit',
  },
  autolabel: {
    file: 'bench-autolabel.ts',
    about:
      'by-name auto-label on the sample project: images/s (encoder included, features cached), time per label, click latency while a job runs',
  },
  classical: { file: 'bench-classical.ts', about: 'GrabCut on a 1024 px box, watershed and magic wand (opencv.js) on a photograph' },
  detect: {
    file: 'bench-detect.ts',
    about: 'YOLO proposals on 1024 px photos (fixture graphs); SAM 2 decoder per prompt through the engine vs raw session.run',
  },
};

const requested = process.argv.slice(2);
const names = requested.length ? requested : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(
      `Unknown benchmark "${name}". Available:\n${Object.entries(benches)
        .map(([key, b]) => `  ${key.padEnd(8)} ${b.about}`)
        .join('\n')}`,
    );
    process.exit(2);
  }
  const file = join(__dirname, bench.file);
  if (!existsSync(file)) {
    console.error(`${name}: ${bench.file} is missing`);
    process.exit(1);
  }
  console.log(`\n== ${name}: ${bench.about}`);
  const status = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' }).status;
  if (status !== 0) process.exit(status ?? 1);
}
