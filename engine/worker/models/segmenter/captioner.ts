// The caption head (PixelLLM's per-token localisation): greedy decoding over
// the image's cached embeddings, one point per word. The context graph runs
// once per call; the step graph runs on the tokens so far and its last row is
// the next word and that word's point (the contract in captionerManifest.ts).
import * as ort from 'onnxruntime-node';

import { AppError } from '../../../../common/contract/result.js';
import type { CaptionWord } from '../../captionWords.js';
import type { EmbeddingGrid, ModelFrame } from '../../modelFrame.js';
import { toModelFrame } from '../../modelFrame.js';
import type { CaptionerManifest } from './captionerManifest.js';

/** x0, y0, x1, y1 in image pixels. */
export type RegionCorners = [number, number, number, number];

export class Captioner {
  constructor(
    private readonly spec: CaptionerManifest,
    private readonly context: ort.InferenceSession,
    private readonly step: ort.InferenceSession,
  ) {}

  /**
   * The caption of the whole image, or of `region` (box -> caption). Stops
   * at the end token or after maxWords. `checkpoint` is awaited between
   * steps so a cancelled call stops there.
   */
  async caption(frame: ModelFrame, embeddings: EmbeddingGrid, region: RegionCorners | null, checkpoint?: () => Promise<void>): Promise<CaptionWord[]> {
    const s = this.spec;
    const words: CaptionWord[] = [];
    for await (const step of this.steps(frame, embeddings, region, s.maxWords)) {
      if (step.id === s.eosId) break;
      // The special tokens carry no word; a model that emits one mid-caption has no word there.
      if (step.id !== s.padId && step.id !== s.bosId && step.id !== s.unkId) words.push({ word: s.vocab[step.id]!, x: step.x, y: step.y });
      if (checkpoint) await checkpoint();
    }
    return words;
  }

  /**
   * Greedy decoding, one step per yield: the argmax token of the last row
   * and its point in image pixels, fed back as the next input. It never stops
   * by itself before `count` steps (the parity test compares every step).
   */
  async *steps(frame: ModelFrame, embeddings: EmbeddingGrid, region: RegionCorners | null, count: number): AsyncGenerator<{ id: number; x: number; y: number }> {
    const memory = await this.memory(frame, embeddings, region);
    const ids: bigint[] = [BigInt(this.spec.bosId)];
    for (let n = 0; n < count; n++) {
      const { id, x, y } = await this.lastRow(frame, memory, ids);
      yield { id, x, y };
      ids.push(BigInt(id));
    }
  }

  /**
   * Phrase -> point (PixelLLM's referring localisation): the phrase's words
   * (phraseWords) read after the start token of a whole-image caption; the
   * point of the position after the last word is where the phrase's object
   * is. Every word gets that point. A word outside the head's vocabulary is
   * refused by name.
   */
  async locate(frame: ModelFrame, embeddings: EmbeddingGrid, words: readonly string[]): Promise<CaptionWord[]> {
    const ids = this.wordIds(words);
    const memory = await this.memory(frame, embeddings, null);
    const { x, y } = await this.lastRow(frame, memory, [BigInt(this.spec.bosId), ...ids]);
    return words.map((word) => ({ word, x, y }));
  }

  /**
   * How likely the head is to describe each region with a phrase (box ->
   * caption read backwards, as Mao et al. 2016 rank regions by a speaker):
   * the log-probability (nats) of the likeliest of the phrase's readings
   * (phraseReadings: with or without an article), its words and the end
   * token, teacher-forced. A reading with a word outside the vocabulary is
   * skipped; when every reading has one, the phrase is refused by name.
   */
  async describes(frame: ModelFrame, embeddings: EmbeddingGrid, regions: readonly RegionCorners[], readings: readonly (readonly string[])[]): Promise<number[]> {
    const known = readings.filter((r) => r.length > 0 && r.every((w) => this.spec.vocab.includes(w)));
    if (known.length === 0) this.wordIds(readings[0] ?? []);
    const sequences = known.map((r) => [BigInt(this.spec.bosId), ...this.wordIds(r)]);
    const scores: number[] = [];
    for (const region of regions) {
      const memory = await this.memory(frame, embeddings, region);
      let best = -Infinity;
      for (const ids of sequences) best = Math.max(best, await this.logProbability(memory, ids));
      scores.push(best);
    }
    return scores;
  }

  /** The vocabulary ids of `words`; an empty phrase, or a word outside the vocabulary, is refused by name. */
  private wordIds(words: readonly string[]): bigint[] {
    const s = this.spec;
    const unknown = words.filter((w) => !s.vocab.includes(w));
    if (words.length === 0 || unknown.length > 0)
      throw new AppError(
        'bad_request',
        words.length === 0
          ? 'The phrase has no words to find.'
          : `The caption head does not know ${unknown.map((w) => `"${w}"`).join(', ')}: it finds phrases made of its caption words.`,
      );
    return words.map((w) => BigInt(s.vocab.indexOf(w)));
  }

  /** log p(ids[1..], end | ids[0] = start token), teacher-forced in one step run. */
  private async logProbability(memory: ort.Tensor, ids: readonly bigint[]): Promise<number> {
    const v = this.spec.vocab.length;
    const logits = (await this.run(memory, ids)).logits;
    let sum = 0;
    for (let row = 0; row < ids.length; row++) {
      const next = row + 1 < ids.length ? Number(ids[row + 1]) : this.spec.eosId;
      sum += logSoftmaxAt(logits, row * v, v, next);
    }
    return sum;
  }

  /** The context graph's output: the cross-attention memory over the image (and region). */
  private async memory(frame: ModelFrame, embeddings: EmbeddingGrid, region: RegionCorners | null): Promise<ort.Tensor> {
    const { channels: c, grid: g } = embeddings;
    const box = region ? [...toModelFrame(frame, region[0], region[1]), ...toModelFrame(frame, region[2], region[3])] : [0, 0, 0, 0];
    const ctx = await this.context.run({
      image_embeddings: new ort.Tensor('float32', embeddings.data, [1, c, g, g]),
      region_box: new ort.Tensor('float32', Float32Array.from(box), [1, 4]),
      has_region_box: new ort.Tensor('float32', Float32Array.from([region ? 1 : 0]), [1]),
    });
    const memory = ctx['caption_memory'];
    if (!memory) throw new AppError('invalid_file', 'caption context graph gave no caption_memory');
    return memory;
  }

  /** One step on `ids`: the last row's argmax token and its point in image pixels. */
  private async lastRow(frame: ModelFrame, memory: ort.Tensor, ids: readonly bigint[]): Promise<{ id: number; x: number; y: number }> {
    const v = this.spec.vocab.length;
    const t = ids.length;
    const { logits, points } = await this.run(memory, ids);
    // Points come in the model frame; image pixels are the inverse of toModelFrame.
    const sx = frame.origWidth / frame.resizedWidth;
    const sy = frame.origHeight / frame.resizedHeight;
    return {
      id: argmax(logits, (t - 1) * v, v),
      x: clamp(points[(t - 1) * 2]! * sx, 0, frame.origWidth),
      y: clamp(points[(t - 1) * 2 + 1]! * sy, 0, frame.origHeight),
    };
  }

  /** The step graph on `ids`: every row's word logits [T, V] and point [T, 2] (model frame). */
  private async run(memory: ort.Tensor, ids: readonly bigint[]): Promise<{ logits: Float32Array; points: Float32Array }> {
    const v = this.spec.vocab.length;
    const t = ids.length;
    const out = await this.step.run({ caption_memory: memory, token_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1, t]) });
    const logits = out['word_logits'];
    const points = out['word_points'];
    if (!logits || !points || logits.data.length !== t * v || points.data.length !== t * 2)
      throw new AppError('invalid_file', `caption step graph gave word_logits / word_points of the wrong size for ${t} tokens and ${v} words`);
    return { logits: logits.data as Float32Array, points: points.data as Float32Array };
  }

  async release(): Promise<void> {
    await this.context.release();
    await this.step.release();
  }
}

function argmax(data: Float32Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const value = data[offset + i]!;
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  return best;
}

/** log softmax(data[offset .. offset + length))[index], computed stably. */
function logSoftmaxAt(data: Float32Array, offset: number, length: number, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, data[offset + i]!);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(data[offset + i]! - max);
  return data[offset + index]! - max - Math.log(sum);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
