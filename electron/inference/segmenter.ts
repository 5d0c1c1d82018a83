// The promptable segmenter: encoder once per image, then a light decoder
// call per prompt (SEEM's deployment split), plus the text encoder that
// puts phrases in the same space as the decoder's class embeddings.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelManifest } from './manifest.js';
import { readManifest } from './manifest.js';
import type { BinaryMask } from './masks.js';
import { thresholdLogits } from './masks.js';
import type { ModelFrame } from './preprocess.js';
import { preprocessImage } from './preprocess.js';
import type { SegmentPrompt } from './prompts.js';
import { buildDecoderFeeds } from './prompts.js';
import type { EmbeddingGrid } from './refPooling.js';
import { WordTokenizer } from './tokenizer.js';

export interface EncodedImage {
  frame: ModelFrame;
  embeddings: EmbeddingGrid;
}

export interface MaskCandidate {
  /** Thresholded at original image size; computed on demand (it is the costly part). */
  mask(): BinaryMask;
  /** Predicted IoU. */
  score: number;
  /** Low-res logits (feed back as maskInput for the next round). */
  lowRes: Float32Array;
  /** L2-normalised class embedding in the text space. */
  classEmbedding: Float32Array;
}

export interface SegmentResult {
  candidates: MaskCandidate[];
  /** Index of the candidate with the highest predicted IoU. */
  best: number;
}

export interface SegmenterOptions {
  /** Encoder threads (default: onnxruntime's choice). */
  encoderThreads?: number;
  /** Decoder/text threads; 1 by default: these graphs are too small to gain from more. */
  decoderThreads?: number;
}

export class PromptableSegmenter {
  private constructor(
    readonly manifest: ModelManifest,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    private readonly textEncoder: ort.InferenceSession,
    readonly tokenizer: WordTokenizer,
  ) {}

  static async load(modelDir: string, options: SegmenterOptions = {}): Promise<PromptableSegmenter> {
    const manifest = await readManifest(modelDir);
    const open = (file: string, threads: number | undefined): Promise<ort.InferenceSession> => {
      const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
      if (threads) opts.intraOpNumThreads = threads;
      return ort.InferenceSession.create(join(modelDir, file), opts);
    };
    const small = options.decoderThreads ?? 1;
    const [encoder, decoder, text] = await Promise.all([
      open(manifest.encoder.file, options.encoderThreads),
      open(manifest.decoder.file, small),
      open(manifest.textEncoder.file, small),
    ]);
    const tokenizer = await WordTokenizer.load(join(modelDir, manifest.tokenizer.file));
    return new PromptableSegmenter(manifest, encoder, decoder, text, tokenizer);
  }

  sessions(): { encoder: ort.InferenceSession; decoder: ort.InferenceSession; textEncoder: ort.InferenceSession } {
    return { encoder: this.encoder, decoder: this.decoder, textEncoder: this.textEncoder };
  }

  private get dims(): { c: number; g: number; s: number } {
    const p = this.manifest.preprocessing;
    const shape = this.manifest.encoder.outputs[0]?.shape ?? [];
    return { c: Number(shape[1]), g: p.embeddingGrid, s: p.inputSize };
  }

  async encodeImage(input: Buffer | string): Promise<EncodedImage> {
    const pre = await preprocessImage(input, this.manifest.preprocessing);
    return { frame: pre.frame, embeddings: await this.encodeTensor(pre.tensor) };
  }

  /** Runs the encoder on an already preprocessed 3 x S x S tensor. */
  async encodeTensor(tensor: Float32Array): Promise<EmbeddingGrid> {
    const { c, g, s } = this.dims;
    const name = this.manifest.encoder.inputs[0]!.name;
    const out = await this.encoder.run({ [name]: new ort.Tensor('float32', tensor, [1, 3, s, s]) });
    const emb = out[this.manifest.encoder.outputs[0]!.name];
    if (!emb) throw new Error('encoder produced no embeddings');
    return { data: emb.data as Float32Array, channels: c, grid: g, stride: this.manifest.preprocessing.embeddingStride };
  }

  async embedText(phrase: string): Promise<Float32Array> {
    const tok = this.tokenizer.encode(phrase);
    const [ids, mask] = this.manifest.textEncoder.inputs;
    const out = await this.textEncoder.run({
      [ids!.name]: new ort.Tensor('int64', tok.ids, [1, tok.ids.length]),
      [mask!.name]: new ort.Tensor('int64', tok.attentionMask, [1, tok.attentionMask.length]),
    });
    const t = out[this.manifest.textEncoder.outputs[0]!.name];
    if (!t) throw new Error('text encoder produced no output');
    return t.data as Float32Array;
  }

  async segment(image: EncodedImage, prompt: SegmentPrompt): Promise<SegmentResult> {
    const { c, g } = this.dims;
    const lr = this.manifest.preprocessing.lowResMaskSize;
    const textDim = Number(this.manifest.textEncoder.outputs[0]?.shape[1]);
    const f = buildDecoderFeeds(image.frame, prompt, { lowResMaskSize: lr, textDim, refDim: c, maxPoints: this.manifest.decoder.maxPoints });
    const feeds: Record<string, ort.Tensor> = {
      image_embeddings: new ort.Tensor('float32', image.embeddings.data, [1, c, g, g]),
      point_coords: new ort.Tensor('float32', f.pointCoords, [1, f.numPoints, 2]),
      point_labels: new ort.Tensor('float32', f.pointLabels, [1, f.numPoints]),
      mask_input: new ort.Tensor('float32', f.maskInput, [1, 1, lr, lr]),
      has_mask_input: new ort.Tensor('float32', Float32Array.from([f.hasMaskInput]), [1]),
      orig_im_size: new ort.Tensor('float32', f.origImSize, [2]),
      text_embedding: new ort.Tensor('float32', f.textEmbedding, [1, textDim]),
      has_text_embedding: new ort.Tensor('float32', Float32Array.from([f.hasText]), [1]),
      ref_embedding: new ort.Tensor('float32', f.refEmbedding, [1, c]),
      has_ref_embedding: new ort.Tensor('float32', Float32Array.from([f.hasRef]), [1]),
    };
    const out = await this.decoder.run(feeds);
    return this.readCandidates(out, image.frame, textDim);
  }

  private readCandidates(out: ort.InferenceSession.OnnxValueMapType, frame: ModelFrame, textDim: number): SegmentResult {
    const masks = out['masks'];
    const iou = out['iou_predictions'];
    const low = out['low_res_masks'];
    const cls = out['class_embedding'];
    if (!masks || !iou || !low || !cls) throw new Error('decoder output is missing a tensor');
    const k = this.manifest.decoder.numMasks;
    const w = frame.origWidth;
    const h = frame.origHeight;
    const lr = this.manifest.preprocessing.lowResMaskSize;
    const scores = iou.data as Float32Array;
    const candidates: MaskCandidate[] = [];
    for (let i = 0; i < k; i++) {
      candidates.push({
        mask: () => thresholdLogits(masks.data as Float32Array, i * w * h, w, h, this.manifest.decoder.maskThreshold),
        score: scores[i] ?? 0,
        lowRes: (low.data as Float32Array).slice(i * lr * lr, (i + 1) * lr * lr),
        classEmbedding: (cls.data as Float32Array).slice(i * textDim, (i + 1) * textDim),
      });
    }
    let best = 0;
    candidates.forEach((cand, i) => {
      if (cand.score > candidates[best]!.score) best = i;
    });
    return { candidates, best };
  }
}
