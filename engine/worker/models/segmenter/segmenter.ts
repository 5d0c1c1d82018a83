// The promptable segmenter: encoder once per image, then a light decoder
// call per prompt (SEEM's deployment split), plus, when the model has one,
// the text encoder that puts phrases in the same space as the decoder's
// class embeddings. Works for any model whose manifest declares the public
// Segment Anything decoder signature; the text/reference inputs and the
// class_embedding output are used only when the manifest declares them.
// Prompts come in image pixels and enter the model frame once
// (buildDecoderFeeds); masks come out at the size the caller asks for.
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';
import { ZodError } from 'zod';

import type { ExecutionProviderChoice, PromptCapabilities } from '../../../../common/contract/ai.js';
import { AppError } from '../../../../common/contract/result.js';
import type { BinaryMask } from '../../../../common/geometry/binaryMask.js';
import type { LowResLogits } from '../../candidateMasks.js';
import { verifyModelFiles } from '../../integrity.js';
import type { EmbeddingGrid, ModelFrame } from '../../modelFrame.js';
import type { ExecutionProviderName, SessionFile } from '../../sessions.js';
import { assertFileExists, assertSignature, openSessions, resolveExecutionProvider } from '../../sessions.js';
import { Captioner } from './captioner.js';
import type { ManifestDims, ModelManifest } from './manifest.js';
import { capabilitiesOf, CLASS_EMBEDDING_OUTPUT, decoderTakes, manifestDims, readManifest } from './manifest.js';
import { preprocessImage } from './preprocess.js';
import type { OutputSize, SegmentPrompt } from './prompts.js';
import { buildDecoderFeeds } from './prompts.js';
import { WordTokenizer } from './tokenizer.js';

export { capabilitiesOf } from './manifest.js';

export interface EncodedImage {
  frame: ModelFrame;
  embeddings: EmbeddingGrid;
}

/** One mask as the decoder gives it (the wire's candidate is the contract's MaskCandidate). */
export interface DecodedMask {
  /** Thresholded at the output size (the original image unless asked otherwise); computed on demand (it is the costly part). */
  mask(): BinaryMask;
  /** Predicted IoU. */
  score: number;
  /** Low-res logits over the input square, maskInputSize² (feed `low.data` back as maskInput for the next round). */
  low: LowResLogits;
  /** L2-normalised class embedding in the text space; null when the model has no class_embedding output. */
  classEmbedding: Float32Array | null;
}

export interface SegmentResult {
  candidates: DecodedMask[];
  /** Index of the candidate to preselect: the highest predicted IoU, or SAM's rule (manifest decoder.bestMask). */
  best: number;
}

export interface SegmenterOptions {
  /** Encoder threads (default: onnxruntime's choice). */
  encoderThreads?: number;
  /** Decoder/text threads; 1 by default: these graphs are too small to gain from more. */
  decoderThreads?: number;
  /** onnxruntime execution provider (default 'cpu'); 'auto' = see resolveExecutionProvider. Falls back to cpu, see providerNote. */
  executionProvider?: ExecutionProviderChoice;
  /** Check every file's size and sha256 against the manifest before loading (reads the whole files). */
  verifyFiles?: boolean;
}

type Session = ort.InferenceSession;

export class PromptableSegmenter {
  /** Tensor sizes from the manifest (validated at load). */
  readonly dims: ManifestDims;
  readonly capabilities: PromptCapabilities;

  private constructor(
    readonly manifest: ModelManifest,
    private readonly encoder: Session,
    private readonly decoder: Session,
    private readonly textEncoder: Session | null,
    /** null when the model has no text encoder. */
    readonly tokenizer: WordTokenizer | null,
    /** The provider the sessions actually run on. */
    readonly activeProvider: ExecutionProviderName,
    /** Why activeProvider is not the requested one; null when it is. */
    readonly providerNote: string | null,
    /** The caption head; null when the manifest declares none. */
    readonly captioner: Captioner | null,
  ) {
    this.dims = manifestDims(manifest);
    this.capabilities = capabilitiesOf(manifest);
  }

  /**
   * Reads modelDir/manifest.json, opens its ONNX files and checks them
   * against it. Errors are AppErrors naming the file: not_found for a
   * missing file, invalid_file for a bad manifest, an unreadable model or a
   * tensor name/type/shape the model does not have.
   */
  static async load(modelDir: string, options: SegmenterOptions = {}): Promise<PromptableSegmenter> {
    const manifest = await readManifest(modelDir);
    if (options.verifyFiles) {
      const problems = await verifyModelFiles(modelDir, manifest);
      if (problems.length)
        throw new AppError('invalid_file', `Model files in ${modelDir} do not match manifest.json: ${problems.map((p) => `${p.file}: ${p.problem}`).join('; ')}`, modelDir);
    }
    const small = options.decoderThreads ?? 1;
    const files: SessionFile[] = [
      { part: 'encoder', path: join(modelDir, manifest.encoder.file), threads: options.encoderThreads },
      { part: 'decoder', path: join(modelDir, manifest.decoder.file), threads: small },
    ];
    if (manifest.textEncoder) files.push({ part: 'textEncoder', path: join(modelDir, manifest.textEncoder.file), threads: small });
    if (manifest.captioner) {
      files.push({ part: 'captionContext', path: join(modelDir, manifest.captioner.context.file), threads: small });
      files.push({ part: 'captionStep', path: join(modelDir, manifest.captioner.step.file), threads: small });
    }
    const tokenizerPath = manifest.tokenizer ? join(modelDir, manifest.tokenizer.file) : null;
    if (tokenizerPath) await assertFileExists(tokenizerPath, 'tokenizer file');

    const requested = resolveExecutionProvider(options.executionProvider ?? 'cpu');
    const opened = await openSessions(files, requested);
    const session = (part: string): Session | null => opened.sessions.get(part) ?? null;
    try {
      assertSignature(join(modelDir, manifest.encoder.file), manifest.encoder, session('encoder')!);
      assertSignature(join(modelDir, manifest.decoder.file), manifest.decoder, session('decoder')!);
      if (manifest.textEncoder) assertSignature(join(modelDir, manifest.textEncoder.file), manifest.textEncoder, session('textEncoder')!);
      let captioner: Captioner | null = null;
      if (manifest.captioner) {
        const { context, step } = manifest.captioner;
        assertSignature(join(modelDir, context.file), context, session('captionContext')!);
        assertSignature(join(modelDir, step.file), step, session('captionStep')!);
        captioner = new Captioner(manifest.captioner, session('captionContext')!, session('captionStep')!);
      }
      let tokenizer: WordTokenizer | null = null;
      if (tokenizerPath) {
        try {
          tokenizer = await WordTokenizer.load(tokenizerPath);
        } catch (error) {
          const why = error instanceof ZodError ? error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ') : (error as Error).message.split('\n')[0];
          throw new AppError('invalid_file', `Cannot read tokenizer ${tokenizerPath}: ${why}`, tokenizerPath);
        }
      }
      return new PromptableSegmenter(
        manifest,
        session('encoder')!,
        session('decoder')!,
        session('textEncoder'),
        tokenizer,
        opened.activeProvider,
        opened.providerNote,
        captioner,
      );
    } catch (error) {
      await Promise.all([...opened.sessions.values()].map((s) => s.release().catch(() => undefined)));
      throw error;
    }
  }

  sessions(): { encoder: Session; decoder: Session; textEncoder: Session | null } {
    return { encoder: this.encoder, decoder: this.decoder, textEncoder: this.textEncoder };
  }

  /** Side of mask_input and of each low-res candidate (manifest preprocessing.lowResMaskSize; SAM: 256). */
  get maskInputSize(): number {
    return this.dims.maskInputSize;
  }

  /** Frees the onnxruntime sessions; the segmenter cannot be used afterwards. */
  async release(): Promise<void> {
    for (const session of [this.encoder, this.decoder, this.textEncoder]) await session?.release();
    await this.captioner?.release();
  }

  /** Resizes the image (the manifest's rule), builds the encoder input its `preprocessing.encoderInput` names, and runs the encoder. */
  async encodeImage(input: Buffer | string): Promise<EncodedImage> {
    const pre = await preprocessImage(input, this.manifest.preprocessing);
    return { frame: pre.frame, embeddings: await this.encodeTensor(pre.tensor, pre.dims) };
  }

  /**
   * Runs the encoder on an already preprocessed tensor: for a normalised-nchw
   * encoder 3 x S x S values (S = manifest inputSize; `dims` may be left
   * out), for a raw-hwc encoder the resized image as h x w x 3 float32 0-255
   * values with `dims` [h, w, 3] (the longest side S).
   */
  async encodeTensor(tensor: Float32Array, dims?: readonly number[]): Promise<EmbeddingGrid> {
    const { channels: c, grid: g, inputSize: s } = this.dims;
    const input = this.manifest.encoder.inputs[0]!;
    let shape: number[];
    if (this.manifest.preprocessing.encoderInput === 'raw-hwc') {
      const [h, w, ch] = dims ?? [];
      if (dims?.length !== 3 || ch !== 3 || h === undefined || w === undefined || !(h >= 1 && w >= 1 && Math.max(h, w) === s))
        throw new AppError('bad_request', `encoder input must be the resized image [h, w, 3] with its longest side ${s}, got [${dims?.join(', ') ?? ''}]`);
      if (tensor.length !== h * w * 3) throw new AppError('bad_request', `encoder input [${h}, ${w}, 3] needs ${h * w * 3} values, got ${tensor.length}`);
      const fixed = input.shape.slice(0, 2).map((d, i) => (typeof d === 'number' && d !== [h, w][i] ? d : null));
      if (fixed.some((d) => d !== null))
        throw new AppError(
          'unsupported',
          `The encoder of model "${this.manifest.id}" takes a fixed [${input.shape.join(', ')}] image; this one resizes to [${h}, ${w}, 3]. Use an export with symbolic image height and width.`,
        );
      shape = [h, w, 3];
    } else {
      if (tensor.length !== 3 * s * s) throw new AppError('bad_request', `encoder input must hold 3 x ${s} x ${s} values, got ${tensor.length}`);
      shape = [1, 3, s, s];
    }
    const out = await this.encoder.run({ [input.name]: new ort.Tensor('float32', tensor, shape) });
    const emb = out[this.manifest.encoder.outputs[0]!.name];
    if (!emb) throw new Error('encoder produced no embeddings');
    if (emb.data.length !== c * g * g) throw new AppError('invalid_file', `encoder output has ${emb.data.length} values, manifest says [1, ${c}, ${g}, ${g}]`);
    return { data: emb.data as Float32Array, channels: c, grid: g, stride: this.manifest.preprocessing.embeddingStride };
  }

  async embedText(phrase: string): Promise<Float32Array> {
    const te = this.manifest.textEncoder;
    if (!this.textEncoder || !this.tokenizer || !te)
      throw new AppError('unsupported', `Model "${this.manifest.id}" has no text encoder: it takes no text prompts and gives no labels`);
    const tok = this.tokenizer.encode(phrase);
    const [ids, mask] = te.inputs;
    const out = await this.textEncoder.run({
      [ids!.name]: new ort.Tensor('int64', tok.ids, [1, tok.ids.length]),
      [mask!.name]: new ort.Tensor('int64', tok.attentionMask, [1, tok.attentionMask.length]),
    });
    const t = out[te.outputs[0]!.name];
    if (!t) throw new Error('text encoder produced no output');
    return t.data as Float32Array;
  }

  /**
   * Runs the decoder. `prompt` is in image pixels; the masks come out at
   * `outputSize`: the original image by default, or a smaller frame such as
   * the resized image (the engine does that so the graph's own upsampling
   * stays small, and evaluates full-resolution masks only where the object is).
   */
  async segment(image: EncodedImage, prompt: SegmentPrompt, outputSize: OutputSize = { width: image.frame.origWidth, height: image.frame.origHeight }): Promise<SegmentResult> {
    const { channels: c, grid: g, maskInputSize: lr } = this.dims;
    const textDim = this.dims.textDim ?? 0;
    this.checkPrompt(image, prompt);
    const f = buildDecoderFeeds(image.frame, prompt, { lowResMaskSize: lr, textDim, refDim: c, maxPoints: this.manifest.decoder.maxPoints }, outputSize);
    const feeds: Record<string, ort.Tensor> = {
      image_embeddings: new ort.Tensor('float32', image.embeddings.data, [1, c, g, g]),
      point_coords: new ort.Tensor('float32', f.pointCoords, [1, f.numPoints, 2]),
      point_labels: new ort.Tensor('float32', f.pointLabels, [1, f.numPoints]),
      mask_input: new ort.Tensor('float32', f.maskInput, [1, 1, lr, lr]),
      has_mask_input: new ort.Tensor('float32', Float32Array.from([f.hasMaskInput]), [1]),
      orig_im_size: new ort.Tensor('float32', f.origImSize, [2]),
    };
    if (decoderTakes(this.manifest, 'text_embedding')) {
      feeds['text_embedding'] = new ort.Tensor('float32', f.textEmbedding, [1, textDim]);
      feeds['has_text_embedding'] = new ort.Tensor('float32', Float32Array.from([f.hasText]), [1]);
    }
    if (decoderTakes(this.manifest, 'ref_embedding')) {
      feeds['ref_embedding'] = new ort.Tensor('float32', f.refEmbedding, [1, c]);
      feeds['has_ref_embedding'] = new ort.Tensor('float32', Float32Array.from([f.hasRef]), [1]);
    }
    const out = await this.decoder.run(feeds);
    return this.readCandidates(out, outputSize, f.numPoints);
  }

  /** Prompt parts the model cannot take, and tensors of the wrong size, are clear errors rather than onnxruntime ones. */
  private checkPrompt(image: EncodedImage, prompt: SegmentPrompt): void {
    const { channels: c, grid: g, inputSize, maskInputSize: lr, textDim } = this.dims;
    const id = this.manifest.id;
    if (image.frame.inputSize !== inputSize || image.embeddings.data.length !== c * g * g)
      throw new AppError('bad_request', `The image was encoded for another model: model "${id}" needs ${inputSize} px input and [${c}, ${g}, ${g}] embeddings`);
    if (prompt.textEmbedding) {
      if (!decoderTakes(this.manifest, 'text_embedding'))
        throw new AppError('unsupported', `Model "${id}" takes no text prompts (its decoder has no text_embedding input)`);
      if (prompt.textEmbedding.length !== textDim) throw new AppError('bad_request', `text embedding has ${prompt.textEmbedding.length} values, model "${id}" needs ${textDim}`);
    }
    if (prompt.refEmbedding) {
      if (!this.capabilities.reference) throw new AppError('unsupported', `Model "${id}" takes no reference-region prompts (its decoder has no ref_embedding input)`);
      if (prompt.refEmbedding.length !== c) throw new AppError('bad_request', `reference embedding has ${prompt.refEmbedding.length} values, model "${id}" needs ${c}`);
    }
    if (prompt.maskInput && prompt.maskInput.length !== lr * lr)
      throw new AppError('bad_request', `mask input has ${prompt.maskInput.length} values, model "${id}" needs ${lr} x ${lr}`);
    const hasPrompt =
      (prompt.clicks?.length ?? 0) > 0 || prompt.box !== undefined || (prompt.scribble?.length ?? 0) > 0 || prompt.textEmbedding !== undefined || prompt.refEmbedding !== undefined || prompt.maskInput !== undefined;
    if (!hasPrompt) throw new AppError('bad_request', 'Give at least one prompt (click, box, scribble, text, reference region or previous mask)');
  }

  private readCandidates(out: ort.InferenceSession.OnnxValueMapType, size: OutputSize, numPoints: number): SegmentResult {
    const masks = out['masks'];
    const iou = out['iou_predictions'];
    const low = out['low_res_masks'];
    const cls = this.dims.classDim !== null ? out[CLASS_EMBEDDING_OUTPUT] : undefined;
    if (!masks || !iou || !low || (this.dims.classDim !== null && !cls)) throw new Error('decoder output is missing a tensor');
    const k = this.manifest.decoder.numMasks;
    const w = size.width;
    const h = size.height;
    const lr = this.dims.maskInputSize;
    const expect = (name: string, tensor: ort.Tensor, dims: number[]): void => {
      if (tensor.dims.length !== dims.length || tensor.dims.some((d, i) => d !== dims[i]))
        throw new AppError('invalid_file', `decoder output ${name} is [${tensor.dims.join(', ')}], expected [${dims.join(', ')}] (manifest numMasks ${k})`);
    };
    expect('masks', masks, [1, k, h, w]);
    expect('iou_predictions', iou, [1, k]);
    expect('low_res_masks', low, [1, k, lr, lr]);
    const classDim = this.dims.classDim ?? 0;
    if (cls) expect(CLASS_EMBEDDING_OUTPUT, cls, [1, k, classDim]);
    const scores = iou.data as Float32Array;
    const candidates: DecodedMask[] = [];
    for (let i = 0; i < k; i++) {
      candidates.push({
        mask: () => thresholdLogits(masks.data as Float32Array, i * w * h, w, h, this.manifest.decoder.maskThreshold),
        score: scores[i] ?? 0,
        low: { data: (low.data as Float32Array).slice(i * lr * lr, (i + 1) * lr * lr), size: lr },
        classEmbedding: cls ? (cls.data as Float32Array).slice(i * classDim, (i + 1) * classDim) : null,
      });
    }
    return { candidates, best: this.bestCandidate(candidates, numPoints) };
  }

  private bestCandidate(candidates: DecodedMask[], numPoints: number): number {
    const samSelect = this.manifest.decoder.bestMask === 'sam-select';
    // SAM's select_masks without control flow: mask 0 gets +-1000 depending on the point count.
    const rank = (i: number): number => candidates[i]!.score + (samSelect && i === 0 ? (numPoints - 2.5) * 1000 : 0);
    let best = 0;
    candidates.forEach((_, i) => {
      if (rank(i) > rank(best)) best = i;
    });
    return best;
  }
}

/** One mask of the decoder's `masks` output (w x h logits from `offset`), thresholded. */
function thresholdLogits(logits: Float32Array, offset: number, width: number, height: number, threshold: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (logits[offset + i] ?? -Infinity) > threshold ? 1 : 0;
  return { width, height, data };
}
