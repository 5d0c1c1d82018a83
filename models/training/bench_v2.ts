// Latency of a v2 export (models/training/export_v2.py) on ONE CPU thread
// per session, through the app's own PromptableSegmenter for the encoder and
// decoder, and onnxruntime-node for the caption head (which the app does not
// run yet): context once, then greedy steps for a fixed number of words.
// Prints min, median and p95 (like `npm run bench:models`, plus the min); no thresholds.
//   node --import tsx models/training/bench_v2.ts MODEL_DIR [WORDS]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';

import type { SegmentPrompt } from '../../engine/worker/models/segmenter/prompts.js';
import { PromptableSegmenter } from '../../engine/worker/models/segmenter/segmenter.js';

interface CaptionerManifest {
  context: { file: string };
  step: { file: string };
  bosId: number;
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  // min too: on a shared, loaded CPU the fastest run is the closest to the unloaded cost
  return `min ${s[0]!.toFixed(2).padStart(7)} ms   median ${q(0.5).toFixed(2).padStart(7)} ms   p95 ${q(0.95).toFixed(2).padStart(7)} ms`;
}

async function time(n: number, warmup: number, f: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f();
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1e3);
  }
  cpuTimes.push(cpu);
  return out;
}

/** CPU time per run (ms) of each timing, in order: less inflated than wall time when other processes share the cores. */
const cpuTimes: number[][] = [];

function cpuMedian(): string {
  const s = [...cpuTimes.at(-1)!].sort((a, b) => a - b);
  return `   cpu median ${s[Math.floor(s.length / 2)]!.toFixed(2).padStart(7)} ms`;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: bench_v2.ts MODEL_DIR [WORDS]');
  const words = Number(process.argv[3] ?? '40');
  const seg = await PromptableSegmenter.load(dir, { encoderThreads: 1, decoderThreads: 1 });
  const size = seg.manifest.preprocessing.inputSize;
  const tensor = new Float32Array(3 * size * size).map((_, i) => Math.sin(i * 0.001));
  const image = await seg.encodeImage(join(__dirname, '..', '..', 'assets', 'samples', 'shapes_0001.jpg'));
  const w = image.frame.origWidth;
  const h = image.frame.origHeight;
  console.log(`${dir}: input ${size}, sample ${w}x${h}, 1 thread per session`);
  console.log(`encoder                       ${stats(await time(20, 3, () => seg.encodeTensor(tensor)))}` + cpuMedian());
  const click: SegmentPrompt = { clicks: [{ x: w / 2, y: h / 2, positive: true }] };
  console.log(`decoder, 1 click              ${stats(await time(40, 5, () => seg.segment(image, click)))}` + cpuMedian());
  const box: SegmentPrompt = { box: { x: w * 0.2, y: h * 0.2, width: w * 0.4, height: h * 0.4 } };
  console.log(`decoder, box                  ${stats(await time(40, 5, () => seg.segment(image, box)))}` + cpuMedian());
  const text = await seg.embedText('the red circle');
  console.log(`decoder, text                 ${stats(await time(40, 5, () => seg.segment(image, { textEmbedding: text })))}` + cpuMedian());

  const cap = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { captioner?: CaptionerManifest }).captioner;
  if (!cap) return;
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
  const [context, step] = await Promise.all([ort.InferenceSession.create(join(dir, cap.context.file), opts), ort.InferenceSession.create(join(dir, cap.step.file), opts)]);
  const c = seg.manifest.encoder.outputs[0]!.shape[1] as number;
  const g = seg.manifest.preprocessing.embeddingGrid;
  const emb = new ort.Tensor('float32', new Float32Array(c * g * g).map((_, i) => Math.sin(i * 0.01)), [1, c, g, g]);
  const runContext = async (): Promise<ort.Tensor> =>
    (await context.run({ image_embeddings: emb, region_box: new ort.Tensor('float32', new Float32Array(4), [1, 4]), has_region_box: new ort.Tensor('float32', new Float32Array(1), [1]) }))['caption_memory']!;
  console.log(`caption context               ${stats(await time(20, 3, runContext))}` + cpuMedian());
  const memory = await runContext();
  const caption = async (): Promise<void> => {
    const ids: bigint[] = [BigInt(cap.bosId)];
    for (let i = 0; i < words; i++) {
      const out = await step.run({ caption_memory: memory, token_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]) });
      const logits = out['word_logits']!.data as Float32Array;
      const v = logits.length / ids.length;
      let best = 0;
      for (let k = 1; k < v; k++) if (logits[(ids.length - 1) * v + k]! > logits[(ids.length - 1) * v + best]!) best = k;
      ids.push(BigInt(best));
    }
  };
  console.log(`caption, ${words} words (steps)     ${stats(await time(10, 2, caption))}` + cpuMedian());
  console.log(`caption total (context + ${words})   = the two medians above added`);
}

void main();
