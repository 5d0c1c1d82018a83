// Rebuilds the deterministic parity inputs that models/training/export.py
// used for its PyTorch reference outputs, and runs the three ONNX files on
// them, so Node-side outputs can be compared with PyTorch's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';

import { makeFrame } from '../../../engine/worker/modelFrame.js';
import type { PromptableSegmenter } from '../../../engine/worker/models/segmenter/segmenter.js';
import { MODEL_DIR } from './cocoGt.js';

export interface ParitySummary {
  token_ids: number[];
  decoder: { point_coords: number[][]; point_labels: number[]; orig_im_size: number[] };
  shapes: Record<string, number[]>;
  iou_predictions: number[];
  text_embedding: number[];
  image_embeddings_sample: number[];
  masks_sample: number[];
  /** Models with a caption head (export_v2.py, export_caption_head.py): its inputs and reference outputs. */
  captioner?: CaptionerParity;
}

export interface CaptionerParity {
  region_box: number[];
  has_region_box: number;
  token_ids: number[];
  memory_shape: number[];
  word_points: number[][];
  /** Whole-image greedy decoding on captionParityEmbeddings. */
  greedy: { ids: number[]; points: number[][] };
  /** Phrase -> point on the same embeddings. */
  locate: { words: string[]; point: [number, number] };
  /** How likely each reading describes region_box (log p, nats), on the same embeddings. */
  describes: { region_box: [number, number, number, number]; readings: string[][]; log_probabilities: number[] };
}

export function readParitySummary(dir: string = MODEL_DIR): ParitySummary {
  return JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8')) as ParitySummary;
}

function formulaImage(size: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) out[c * size * size + y * size + x] = 1.5 * Math.sin(0.05 * x * (c + 1) + 0.03 * y);
  return out;
}

export async function runParity(p: ParitySummary, dir: string = MODEL_DIR): Promise<Record<string, Float32Array>> {
  const open = (f: string): Promise<ort.InferenceSession> => ort.InferenceSession.create(join(dir, f));
  const [enc, dec, txt] = await Promise.all([open('encoder.onnx'), open('decoder.onnx'), open('text_encoder.onnx')]);
  const embShape = p.shapes['image_embeddings']!;
  const [, c, g] = embShape as [number, number, number, number];
  const size = g * 8;
  const emb = (await enc.run({ image: new ort.Tensor('float32', formulaImage(size), [1, 3, size, size]) }))['image_embeddings']!.data as Float32Array;
  const ids = BigInt64Array.from(p.token_ids, (v) => BigInt(v));
  const text = (await txt.run({
    token_ids: new ort.Tensor('int64', ids, [1, ids.length]),
    attention_mask: new ort.Tensor('int64', ids.map(() => 1n), [1, ids.length]),
  }))['text_embedding']!.data as Float32Array;
  // ref = mean of embeddings over rows 4..11, cols 6..13
  const ref = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 4; i < 12; i++) for (let j = 6; j < 14; j++) s += emb[ch * g * g + i * g + j]!;
    ref[ch] = s / 64;
  }
  const lr = 4 * g;
  const n = lr * lr;
  const maskIn = new Float32Array(n);
  for (let i = 0; i < n; i++) maskIn[i] = -3 + (6 * i) / (n - 1);
  const pts = p.decoder.point_coords;
  const out = await dec.run({
    image_embeddings: new ort.Tensor('float32', emb, [1, c, g, g]),
    point_coords: new ort.Tensor('float32', Float32Array.from(pts.flat()), [1, pts.length, 2]),
    point_labels: new ort.Tensor('float32', Float32Array.from(p.decoder.point_labels), [1, pts.length]),
    mask_input: new ort.Tensor('float32', maskIn, [1, 1, lr, lr]),
    has_mask_input: new ort.Tensor('float32', Float32Array.from([1]), [1]),
    orig_im_size: new ort.Tensor('float32', Float32Array.from(p.decoder.orig_im_size), [2]),
    text_embedding: new ort.Tensor('float32', text, [1, text.length]),
    has_text_embedding: new ort.Tensor('float32', Float32Array.from([1]), [1]),
    ref_embedding: new ort.Tensor('float32', ref, [1, c]),
    has_ref_embedding: new ort.Tensor('float32', Float32Array.from([1]), [1]),
  });
  const result: Record<string, Float32Array> = { image_embeddings: emb, text_embedding: text, ref_embedding: ref };
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  if (p.captioner) Object.assign(result, await runCaptionParity(p.captioner, emb, [1, c, g, g], open));
  return result;
}

/** The caption head's two graphs: context once (image embeddings + region), then one step over the given words. */
async function runCaptionParity(
  cap: NonNullable<ParitySummary['captioner']>,
  emb: Float32Array,
  embShape: number[],
  open: (f: string) => Promise<ort.InferenceSession>,
): Promise<Record<string, Float32Array>> {
  const [context, step] = await Promise.all([open('caption_context.onnx'), open('caption_step.onnx')]);
  const memory = (await context.run({
    image_embeddings: new ort.Tensor('float32', emb, embShape),
    region_box: new ort.Tensor('float32', Float32Array.from(cap.region_box), [1, 4]),
    has_region_box: new ort.Tensor('float32', Float32Array.from([cap.has_region_box]), [1]),
  }))['caption_memory']!;
  const ids = BigInt64Array.from(cap.token_ids, (v) => BigInt(v));
  const out = await step.run({ caption_memory: memory, token_ids: new ort.Tensor('int64', ids, [1, ids.length]) });
  return {
    caption_memory: memory.data as Float32Array,
    word_logits: out['word_logits']!.data as Float32Array,
    word_points: out['word_points']!.data as Float32Array,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function strided(a: Float32Array, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i += step) out.push(a[i]!);
  return out;
}

/** The fixed embeddings export_caption_head.py decodes for its parity reference (its parity_embeddings): C x g x g. */
export function captionParityEmbeddings(c: number, g: number): Float32Array {
  const out = new Float32Array(c * g * g);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) out[(ch * g + y) * g + x] = Math.sin(0.37 * ch + 0.21 * y) * Math.cos(0.13 * ch - 0.17 * x);
  return out;
}

/**
 * The app's Captioner reproduces a folder's PyTorch reference on the
 * embeddings that reference decoded (captionParityEmbeddings for
 * export_caption_head.py, the parity image's for export_v2.py), the input
 * square being the image: greedy ids identical, greedy points and the
 * phrase -> point within 1e-2 px (every word of the phrase gets that point),
 * and how likely a phrase describes a region within 1e-3 nats.
 */
export async function assertCaptionerParity(seg: PromptableSegmenter, p: CaptionerParity, data: Float32Array): Promise<void> {
  assert.ok(seg.captioner, 'the model loads with its caption head');
  const { channels: c, grid: g, inputSize } = seg.dims;
  const embeddings = { data, channels: c, grid: g, stride: inputSize / g };
  const frame = makeFrame(inputSize, inputSize, inputSize);
  const ids: number[] = [];
  const points: number[][] = [];
  for await (const step of seg.captioner.steps(frame, embeddings, null, p.greedy.ids.length)) {
    ids.push(step.id);
    points.push([step.x, step.y]);
  }
  assert.deepEqual(ids, p.greedy.ids);
  assert.ok(maxAbsDiff(points.flat(), p.greedy.points.flat()) < 1e-2, `points differ by ${maxAbsDiff(points.flat(), p.greedy.points.flat())}`);
  const located = await seg.captioner.locate(frame, embeddings, p.locate.words);
  assert.deepEqual(
    located.map((w) => w.word),
    p.locate.words,
  );
  for (const w of located) assert.ok(maxAbsDiff([w.x, w.y], p.locate.point) < 1e-2, `located at ${w.x}, ${w.y}, PyTorch ${p.locate.point.join(', ')}`);
  const { region_box: region, readings, log_probabilities: expected } = p.describes;
  const each = await Promise.all(readings.map(async (r) => (await seg.captioner!.describes(frame, embeddings, [region], [r]))[0]!));
  assert.ok(maxAbsDiff(each, expected) < 1e-3, `log-probabilities ${each.join(', ')}, PyTorch ${expected.join(', ')}`);
  // Of several readings, the likeliest; of several regions, one score each.
  const both = await seg.captioner.describes(frame, embeddings, [region, [0, 0, inputSize, inputSize]], readings);
  assert.equal(both.length, 2);
  assert.ok(Math.abs(both[0]! - Math.max(...expected)) < 1e-3);
}
