// The frozen encoder's features of caption_head_data.py's scenes, computed
// by the app itself (PromptableSegmenter: the model's own preprocessing and
// onnxruntime), so a caption head trained on them sees exactly what it gets
// in the app. Writes DIR/features.bin (float32, C x g x g per scene, in
// meta.jsonl's order) and DIR/features.json (shape, model, encoder sha256).
//   node --import tsx models/training/encode_scenes.ts DIR [MODEL_DIR]
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { PromptableSegmenter } from '../../engine/worker/models/segmenter/segmenter.js';

async function main(): Promise<void> {
  const [dir, modelArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: encode_scenes.ts DIR [MODEL_DIR]');
  const modelDir = modelArg ?? join(__dirname, '..', 'shapes-seem-tiny');
  const scenes = readFileSync(join(dir, 'meta.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { image: string }).image);
  const seg = await PromptableSegmenter.load(modelDir, { encoderThreads: 1 });
  const out = createWriteStream(join(dir, 'features.bin'));
  const started = performance.now();
  let shape: number[] = [];
  for (const [i, image] of scenes.entries()) {
    const { embeddings } = await seg.encodeImage(join(dir, 'images', image));
    shape = [embeddings.channels, embeddings.grid, embeddings.grid];
    if (!out.write(Buffer.from(embeddings.data.buffer, embeddings.data.byteOffset, embeddings.data.byteLength)))
      await new Promise((resolve) => out.once('drain', resolve));
    if ((i + 1) % 200 === 0) console.log(`${i + 1}/${scenes.length} encoded, ${((performance.now() - started) / (i + 1)).toFixed(1)} ms each`);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const encoder = Object.values(seg.manifest.files).find((f) => f.path === seg.manifest.encoder.file);
  writeFileSync(
    join(dir, 'features.json'),
    JSON.stringify({ count: scenes.length, shape, model: seg.manifest.id, encoderSha256: encoder?.sha256 ?? null }, null, 1),
  );
  await seg.release();
  console.log(`encoded ${scenes.length} scenes with ${seg.manifest.id} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
