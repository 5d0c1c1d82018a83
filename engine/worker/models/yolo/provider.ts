// Ultralytics YOLO detectors and instance segmenters (v8 / 11, and end-to-end
// heads) as a provider: the image letterboxed once per image (kept in an
// LRU), one run, then Ultralytics' own post-processing (decode.ts) and masks
// from the prototypes (instanceMasks.ts). It takes no prompt: `detect` gives
// the whole image's detections, `everything` the same as mask candidates
// (segmenters only).
import { join } from 'node:path';

import * as ort from 'onnxruntime-node';

import { AppError, type ExecutionProviderChoice } from '../../../../common/contract/index.js';
import type { EverythingParams, WorkerImage } from '../../../protocol.js';
import { ByteLru } from '../../byteLru.js';
import { contentHash } from '../../contentHash.js';
import { FixedMask } from '../../fixedMask.js';
import type { DetectorOutput, DetectParams, MaskProvider, PreparedImage, ProviderDetection, ProviderResult } from '../../maskProvider.js';
import { assertSignature, openSessions, resolveExecutionProvider } from '../../sessions.js';
import { decodeEndToEndHead, decodeRawHead, type RawDetection } from './decode.js';
import { boxToImage } from './geometry.js';
import { instanceMask, type Prototypes } from './instanceMasks.js';
import { DETECTOR_CAPABILITIES, type DetectorManifest,readDetectorManifest, YOLO_INPUT, YOLO_OUTPUT, YOLO_PROTOTYPES } from './manifest.js';
import { yoloInputTensor } from './preprocess.js';

/** A 1280 px model's outputs are a few tens of MB; this keeps the current image and a neighbour or two. */
const OUTPUT_BUDGET_BYTES = 96 * 1024 * 1024;

/** The network's outputs for one image: post-processing with other thresholds needs no new run. */
interface ImageOutputs {
  width: number;
  height: number;
  head: Float32Array;
  headDims: number[];
  protos: Prototypes | null;
}

export const DETECTOR_SELECTION_RULE = "Ultralytics' rule: best class per box, score above the threshold, per-class NMS; best score first";

export class DetectorProvider implements MaskProvider {
  readonly capabilities = DETECTOR_CAPABILITIES;
  readonly scoreKind = 'confidence' as const;
  private readonly outputs = new ByteLru<ImageOutputs>(OUTPUT_BUDGET_BYTES);

  private constructor(
    readonly id: string,
    readonly manifest: DetectorManifest,
    private readonly session: ort.InferenceSession,
    readonly activeProvider: string,
    readonly providerNote: string | null,
  ) {}

  static async load(id: string, dir: string, executionProvider: ExecutionProviderChoice): Promise<DetectorProvider> {
    const manifest = await readDetectorManifest(dir);
    const path = join(dir, manifest.model.file);
    const opened = await openSessions([{ part: 'model', path }], resolveExecutionProvider(executionProvider));
    const session = opened.sessions.get('model')!;
    try {
      assertSignature(path, manifest.model, session);
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
    return new DetectorProvider(id, manifest, session, opened.activeProvider, opened.providerNote);
  }

  /** Classes, thresholds and mask dims the manifest gives: the defaults a request may override. */
  get defaults(): DetectParams {
    const p = this.manifest.postprocessing;
    return { conf: p.confThreshold, iou: p.iouThreshold, maxDetections: p.maxDetections };
  }

  private key(image: WorkerImage): string {
    return contentHash(image.path);
  }

  isPrepared(image: WorkerImage): boolean {
    try {
      return this.outputs.has(this.key(image));
    } catch {
      return false;
    }
  }

  /** Letterbox and run once per image content. */
  private async run(image: WorkerImage): Promise<{ prepared: PreparedImage; outputs: ImageOutputs }> {
    const key = this.key(image);
    const known = this.outputs.get(key);
    if (known) return { prepared: { key, source: 'memory', encodeMs: 0, width: known.width, height: known.height }, outputs: known };
    const started = performance.now();
    const s = this.manifest.preprocessing.inputSize;
    let input: { tensor: Float32Array; width: number; height: number };
    try {
      input = await yoloInputTensor(image.path, this.manifest.preprocessing);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('invalid_file', `Cannot read image ${image.imageId}: ${(error as Error).message}`);
    }
    const out = await this.session.run({ [YOLO_INPUT]: new ort.Tensor('float32', input.tensor, [1, 3, s, s]) });
    const head = out[YOLO_OUTPUT];
    if (!head) throw new AppError('invalid_file', `${this.id} gave no "${YOLO_OUTPUT}" output`);
    let protos: Prototypes | null = null;
    if (this.manifest.task === 'segment') {
      const p = out[YOLO_PROTOTYPES];
      if (!p || p.dims.length !== 4) throw new AppError('invalid_file', `${this.id} gave no [1, k, h, w] "${YOLO_PROTOTYPES}" output`);
      protos = { data: (p.data as Float32Array).slice(), maskDims: Number(p.dims[1]), height: Number(p.dims[2]), width: Number(p.dims[3]) };
    }
    const outputs: ImageOutputs = { width: input.width, height: input.height, head: (head.data as Float32Array).slice(), headDims: head.dims.map(Number), protos };
    this.outputs.set(key, outputs, outputs.head.byteLength + (protos?.data.byteLength ?? 0));
    return { prepared: { key, source: 'encoded', encodeMs: performance.now() - started, width: input.width, height: input.height }, outputs };
  }

  async prepare(image: WorkerImage): Promise<PreparedImage> {
    return (await this.run(image)).prepared;
  }

  /** The head's detections in the letterboxed input, per the manifest's head kind. */
  private decodeHead(outputs: ImageOutputs, params: DetectParams): RawDetection[] {
    const m = this.manifest;
    const nm = m.postprocessing.maskDims;
    const dims = outputs.headDims;
    if (m.head === 'end2end') {
      if (dims.length !== 3 || dims[2] !== 6 + nm) throw new AppError('invalid_file', `${this.id}: "${YOLO_OUTPUT}" is [${dims.join(', ')}], expected [1, N, ${6 + nm}]`);
      return decodeEndToEndHead({ data: outputs.head, rows: dims[1]!, maskDims: nm }, params);
    }
    const classes = m.classes.length;
    if (dims.length !== 3 || dims[1] !== 4 + classes + nm)
      throw new AppError('invalid_file', `${this.id}: "${YOLO_OUTPUT}" is [${dims.join(', ')}], expected [1, ${4 + classes + nm}, anchors] for ${classes} classes`);
    return decodeRawHead({ data: outputs.head, classes, maskDims: nm, anchors: dims[2]! }, params);
  }

  async detect(image: WorkerImage, _prepared: PreparedImage, params: DetectParams): Promise<DetectorOutput> {
    const { outputs } = await this.run(image);
    const { width, height } = outputs;
    const s = this.manifest.preprocessing.inputSize;
    const detections: ProviderDetection[] = [];
    for (const raw of this.decodeHead(outputs, params)) {
      const box = boxToImage(raw.box, width, height, s);
      if (!outputs.protos) {
        detections.push({ classId: raw.classId, score: raw.score, box, mask: null });
        continue;
      }
      const crop = instanceMask(raw.coefficients, outputs.protos, box, width, height);
      // Ultralytics drops a segmenter's detection whose mask is empty.
      if (crop.area > 0) detections.push({ classId: raw.classId, score: raw.score, box, mask: new FixedMask(crop) });
    }
    const classNames = this.manifest.classes;
    const rule = this.manifest.head === 'end2end' ? "NMS done in the graph (end-to-end head); score above the threshold, in the graph's order" : DETECTOR_SELECTION_RULE;
    return { detections, classNames, rule };
  }

  async segment(): Promise<ProviderResult> {
    throw new AppError('unsupported', `${this.id} takes no prompts. ${DETECTOR_CAPABILITIES.promptNote}`);
  }

  /** Segment everything: the segmenter's detections as mask candidates (a plain detector has no masks to offer). */
  async everything(image: WorkerImage, prepared: PreparedImage, _params: EverythingParams, progress: (done: number, total: number) => void): Promise<ProviderResult> {
    if (this.manifest.task !== 'segment') throw new AppError('unsupported', `${this.id} is a detector: it proposes boxes (run it as a detector), not masks.`);
    progress(0, 1);
    const found = await this.detect(image, prepared, this.defaults);
    progress(1, 1);
    return {
      candidates: found.detections.map((d) => ({
        mask: d.mask!,
        score: d.score,
        stability: 1,
        classEmbedding: null,
        note: found.classNames[d.classId] ?? `class ${d.classId}`,
      })),
      best: 0,
      rule: found.rule,
    };
  }

  async embedText(): Promise<Float32Array> {
    throw new AppError('unsupported', `${this.id} has no text encoder.`);
  }

  async release(): Promise<void> {
    this.outputs.clear();
    await this.session.release();
  }
}
