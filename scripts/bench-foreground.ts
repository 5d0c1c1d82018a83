// `npm run bench -- foreground`: the opt-in foreground model through the
// engine's worker on the real photographs: a box's first run (crop at
// 1024 px through ISNet) and the same box again (cached crop output).
// Targets on this 2-core CPU: first run <= 4 s, cache hit <= 50 ms.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { promptSetSchema } from '../common/contract/index.js';
import { defaultUserDataDir } from '../core/host/userDataDir.js';
import { type ImageSource, InferenceEngine } from '../engine/engine.js';
import { toWorkerPrompt } from '../engine/promptValidation.js';

const ROOT = join(__dirname, '..');
const PHOTOS = join(ROOT, 'assets', 'photos');

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; bbox: [number, number, number, number] }[];
}

async function main(): Promise<void> {
  const userModels = join(defaultUserDataDir(), 'models');
  const modelId = ['isnet-small', 'isnet-medium'].find((id) => existsSync(join(userModels, id, 'manifest.json')));
  if (!modelId) {
    console.log(`skipped: no foreground model in ${userModels} (npx promptlabel models fetch isnet-small)`);
    return;
  }
  const coco = JSON.parse(readFileSync(join(PHOTOS, 'annotations.coco.json'), 'utf8')) as Coco;
  const source: ImageSource = {
    cacheDir: null,
    imagePath: (id) => join(PHOTOS, coco.images.find((i) => i.id === id)!.file_name),
    imageSize: async (id) => coco.images.find((i) => i.id === id)!,
    labels: () => [],
  };
  const engine = new InferenceEngine({
    roots: { builtin: join(ROOT, 'models'), user: userModels },
    settingsPath: null,
    settings: { modelId },
  });
  const first: number[] = [];
  const hit: number[] = [];
  try {
    for (const a of coco.annotations) {
      const [x, y, w, h] = a.bbox;
      const prompt = await toWorkerPrompt(source, a.image_id, promptSetSchema.parse({ box: [x, y, x + w, y + h] }));
      for (const into of [first, hit]) {
        const started = performance.now();
        await engine.segment(source, { imageId: a.image_id, prompt });
        into.push(performance.now() - started);
      }
    }
  } finally {
    await engine.close();
  }
  const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
  console.log(`${modelId} on ${coco.annotations.length} boxes of assets/photos (provider cpu)`);
  console.log(
    `  box, first run (decode + two crops at 1024 px through ISNet)  p50 ${median(first).toFixed(0)} ms  max ${Math.max(...first).toFixed(0)} ms   target <= 4000 ms`,
  );
  console.log(
    `  same box again (cached crop outputs)                         p50 ${median(hit).toFixed(1)} ms  max ${Math.max(...hit).toFixed(1)} ms   target <= 50 ms`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
