// `npm run bench -- detect`: issue 11's engine figures, printed (no targets
// are asserted in tests).
// 1. YOLO proposals on 1024 px photographs with the fixture graphs
//    (test/fixtures/yolo): a new image (decode, letterbox, run, decode the
//    head, masks) and the same image again (outputs cached, thresholds changed).
// 2. A SAM-family decoder per prompt through the engine (worker message,
//    prompt transform, decoder run, display crop, RLE) versus the raw
//    session.run of the same decoder on the same feeds; target ratio <= 1.2.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { InferenceEngine } from '../engine/engine.js';
import { readSam2Manifest } from '../engine/worker/models/sam2/manifest.js';
import { sam2InputTensor } from '../engine/worker/models/sam2/preprocess.js';
import { sam2Points } from '../engine/worker/models/sam2/prompts.js';
import { filesSource, installSam2, installYolo, ROOT } from '../test/unit/engine/issue11Fixtures.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (v: number): string => `${v.toFixed(2)} ms`;

async function photos1024(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['rocket.jpg', 'chelsea.jpg', 'astronaut.jpg', 'coffee.jpg', 'retina.jpg']) {
    const path = join(dir, name.replace(/\.jpg$/, '-1024.png'));
    await sharp(join(ROOT, 'assets', 'photos', name))
      .resize({ width: 1024, height: 1024, fit: 'inside' })
      .png()
      .toFile(path);
    out.push(path);
  }
  return out;
}

async function benchYolo(engine: InferenceEngine, images: string[]): Promise<void> {
  const source = filesSource(images);
  for (const model of ['yolo-det', 'yolo-seg', 'yolo-e2e']) {
    await engine.detect(source, { imageId: 1, modelId: model }); // session open, warm-up
    const fresh: number[] = [];
    const cached: number[] = [];
    let count = 0;
    for (let id = 2; id <= images.length; id++) {
      let t = performance.now();
      const set = await engine.detect(source, { imageId: id, modelId: model });
      fresh.push(performance.now() - t);
      count += set.detections.length;
      for (let k = 0; k < 5; k++) {
        t = performance.now();
        await engine.detect(source, { imageId: id, modelId: model, conf: 0.3 + k * 0.05 });
        cached.push(performance.now() - t);
      }
    }
    console.log(
      `  ${model.padEnd(9)} 1024 px photo: new image ${ms(median(fresh))} (median of ${fresh.length}), same image again ${ms(median(cached))}; ${(count / fresh.length).toFixed(1)} detections per image`,
    );
  }
}

async function benchSam2Decoder(engine: InferenceEngine, user: string, image: string): Promise<void> {
  const source = filesSource([image]);
  const size = await sharp(image).metadata();
  const clicks = Array.from({ length: 40 }, (_, i) => ({
    x: (((i * 37) % 97) / 97) * size.width,
    y: (((i * 53) % 89) / 89) * size.height,
    positive: true,
  }));
  // The same decoder, raw: one session (1 thread, as the engine opens it), the same feeds.
  const dir = join(user, 'sam2-fixture');
  const manifest = await readSam2Manifest(dir);
  const encoder = await ort.InferenceSession.create(join(dir, manifest.encoder.file), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const decoder = await ort.InferenceSession.create(join(dir, manifest.decoder.file), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
  });
  const input = await sam2InputTensor(image, manifest.preprocessing);
  const features = await encoder.run({ image: new ort.Tensor('float32', input.tensor, [1, 3, 1024, 1024]) });
  const rawRun = async (click: { x: number; y: number; positive: boolean }): Promise<number> => {
    const points = sam2Points({ clicks: [click], scribbles: [] }, input.width, input.height, 1024);
    const feeds = {
      image_embed: features['image_embed']!,
      high_res_feats_0: features['high_res_feats_0']!,
      high_res_feats_1: features['high_res_feats_1']!,
      point_coords: new ort.Tensor('float32', points.coords, [1, points.count, 2]),
      point_labels: new ort.Tensor('float32', points.labels, [1, points.count]),
      mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', Float32Array.from([0]), [1]),
    };
    const t = performance.now();
    await decoder.run(feeds);
    return performance.now() - t;
  };
  await engine.segment(source, { imageId: 1, modelId: 'sam2-fixture', prompt: { clicks: [clicks[0]!], scribbles: [] } }); // encode + warm-up
  await rawRun(clicks[0]!);
  // Interleaved, so both see the same machine load.
  const viaEngine: number[] = [];
  const raw: number[] = [];
  const decodeMs: number[] = [];
  const workerMs: number[] = [];
  for (const click of clicks) {
    const t = performance.now();
    const set = await engine.segment(source, { imageId: 1, modelId: 'sam2-fixture', prompt: { clicks: [click], scribbles: [] } });
    viaEngine.push(performance.now() - t);
    decodeMs.push(set.timing.decodeMs);
    workerMs.push(set.timing.totalMs);
    raw.push(await rawRun(click));
  }
  await Promise.all([encoder.release(), decoder.release()]);
  const e = median(viaEngine);
  const r = median(raw);
  console.log(
    `  SAM 2 fixture decoder, one click on a ${size.width}x${size.height} photo: engine ${ms(e)}, raw session.run ${ms(r)}, ratio ${(e / r).toFixed(2)} (target <= 1.2; medians of ${clicks.length}, interleaved)`,
  );
  console.log(
    `    in the worker: decoder run + prompt transform + stability ${ms(median(decodeMs))}, whole call with the three display crops ${ms(median(workerMs))}; messaging ${ms(e - median(workerMs))}`,
  );
}

void (async () => {
  const work = mkdtempSync(join(tmpdir(), 'promptlabel-bench-detect-'));
  const user = join(work, 'models');
  mkdirSync(user);
  for (const f of ['yolo-det', 'yolo-seg', 'yolo-e2e'] as const) installYolo(user, f);
  installSam2(user);
  writeFileSync(join(work, 'README'), 'temporary benchmark folder\n');
  const images = await photos1024(work);
  const engine = new InferenceEngine({
    roots: { builtin: join(ROOT, 'models'), user },
    settingsPath: null,
    settings: { executionProvider: 'cpu', prefetchCount: 0 },
  });
  try {
    console.log('YOLO proposals (fixture graphs, 640 input):');
    await benchYolo(engine, images);
    console.log('SAM-family decoder per prompt, features cached:');
    await benchSam2Decoder(engine, user, join(ROOT, 'assets', 'photos', 'rocket.jpg'));
  } finally {
    await engine.close();
  }
})();
