// `npm run bench:models`: latency of the built-in shapes-seem-tiny model
// through onnxruntime-node on this CPU: encoder per image (at the model's
// input size), decoder per prompt (1 click; 512 scribble points), text
// encoder per phrase, and the caption head per caption when the model has
// one. Prints median and p95; targets: encoder <= 100 ms, decoder <= 10 ms,
// caption <= 50 ms.
import { join } from 'node:path';

import type { SegmentPrompt } from '../engine/worker/models/segmenter/prompts.js';
import { PromptableSegmenter } from '../engine/worker/models/segmenter/segmenter.js';

// BENCH_MODEL_DIR: time another export of the same contract (e.g. a candidate before it ships).
const MODEL_DIR = process.env.BENCH_MODEL_DIR ?? join(__dirname, '..', 'models', 'shapes-seem-tiny');
const SAMPLE = join(__dirname, '..', 'assets', 'samples', 'shapes_0001.jpg');

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}

async function time(n: number, warmup: number, f: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

function report(name: string, ms: number[], target?: number): void {
  const { median, p95 } = stats(ms);
  const verdict = target === undefined ? '' : median <= target ? `  (target <= ${target} ms: met)` : `  (target <= ${target} ms: NOT met)`;
  console.log(`${name.padEnd(34)} median ${median.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms${verdict}`);
}

async function main(): Promise<void> {
  const seg = await PromptableSegmenter.load(MODEL_DIR);
  const size = seg.manifest.preprocessing.inputSize;
  const image = await seg.encodeImage(SAMPLE);
  const tensor = new Float32Array(3 * size * size).map((_, i) => Math.sin(i * 0.001));
  console.log(`model ${seg.manifest.id}, input ${size}x${size}, sample ${image.frame.origWidth}x${image.frame.origHeight}`);
  report(`encoder (${size}x${size})`, await time(30, 3, () => seg.encodeTensor(tensor)), 100);
  const w = image.frame.origWidth;
  const h = image.frame.origHeight;
  const click: SegmentPrompt = { clicks: [{ x: w / 2, y: h / 2, positive: true }] };
  report('decoder, 1 click (+padding point)', await time(50, 5, () => seg.segment(image, click)), 10);
  // A scribble as the decoder sees it: at most 512 points with the padding point (SEEM's cap), and
  // 128, the count the model was trained with, for planning how far a client should subsample.
  for (const points of [512, 128]) {
    const stroke: [number, number][] = Array.from({ length: points - 1 }, (_, i) => [w * (0.2 + (0.6 * i) / (points - 1)), h * 0.5]);
    report(`decoder, ${points} points`, await time(30, 3, () => seg.segment(image, { scribble: stroke })), 10);
  }
  const text = await seg.embedText('the red circle');
  report('decoder, text only', await time(50, 5, () => seg.segment(image, { textEmbedding: text })), 10);
  report('text encoder (9-word phrase)', await time(50, 5, () => seg.embedText('the small blue triangle left of the red circle')));
  report('preprocess + encoder (sample jpg)', await time(20, 2, () => seg.encodeImage(SAMPLE)));
  if (seg.captioner) {
    // The app's own decoding (Captioner) on cached features: the context graph once, then one step per word.
    const words = (await seg.captioner.caption(image.frame, image.embeddings, null)).length;
    report(
      `caption head, whole image (${words} words)`,
      await time(20, 3, () => seg.captioner!.caption(image.frame, image.embeddings, null)),
      50,
    );
    const box: [number, number, number, number] = [w * 0.1, h * 0.1, w * 0.5, h * 0.5];
    report('caption head, box -> caption', await time(20, 3, () => seg.captioner!.caption(image.frame, image.embeddings, box)), 50);
  } else console.log('caption head: none in this model');
}

void main();
