// `promptlabel segment`: the app's inference engine (same worker, same prompt
// validation, same candidates) on image files, for scripts and batch work.
// Writes a binary mask PNG or a JSON file of candidates with full-resolution
// COCO RLE, polygons, box, scores and labels. Without --model it uses the
// model a new project would start on (the best real model installed). A
// detector takes no prompts: its JSON lists the detections (boxes, classes,
// scores, and masks from a -seg model or the --chain SAM-family model).
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import sharp from 'sharp';

import {
  AppError,
  type CandidateSet,
  type DetectionSet,
  type LabelGuess,
  type MaskCandidate,
  type ModelInfo,
  type Polygon,
  type PromptSet,
  type Rle,
} from '../../common/contract/index.js';
import { countsToString, rleToMask } from '../../common/geometry/rle.js';
import type { ImageSource, InferenceEngine } from '../../engine/engine.js';
import { toWorkerPrompt } from '../../engine/promptValidation.js';
import type { WorkerLabel } from '../../engine/protocol.js';
import { readManifest } from '../../engine/worker/models/segmenter/manifest.js';
import { ensureDir } from '../../files/ensureDir.js';
import { createCliEngine, usableModel } from './cliEngine.js';
import {
  type CandidateChoice,
  noPromptError,
  optionForPromptPath,
  parseSegmentArgs,
  referenceImageId,
  SEGMENT_USAGE,
  type SegmentArgs,
  type SegmentOutput,
} from './segmentArgs.js';
import { type CliCommand, type CliIo, UsageError } from './types.js';

/** One candidate as the JSON output gives it: everything at full resolution. */
export interface SegmentCandidateJson {
  index: number;
  /** What it measures is the result's `scoreKind`; null for providers without one. */
  score: number | null;
  /** What this candidate is, where the provider says (e.g. "wide view of the box"). */
  note: string | null;
  stability: number;
  box: { x: number; y: number; w: number; h: number };
  area: number;
  /** COCO compressed RLE of the whole image (size [height, width]). */
  rle: Rle;
  polygons: Polygon[];
  labels: LabelGuess[];
}

export interface SegmentResultJson {
  image: string;
  model: string;
  /** What onnxruntime actually ran on. */
  provider: string | null;
  width: number;
  height: number;
  candidates: SegmentCandidateJson[];
  /** Index (in the model's candidate set) of the candidate the app would preselect. */
  best: number;
  /** How that candidate is chosen (the model family's rule). */
  selectionRule: string | null;
  /** "predicted-iou" (segmenters), "confidence" (the foreground model) or null (classical: no score). */
  scoreKind: CandidateSet['scoreKind'];
  timing: CandidateSet['timing'] & { materializeMs: number };
}

/** One detection as the JSON output gives it: the mask (when there is one) at full resolution. */
export interface DetectionJson {
  index: number;
  classId: number;
  className: string;
  score: number;
  /** x0, y0, x1, y1 in image pixels. */
  box: [number, number, number, number];
  /** The --labels name it maps to (same name, case-insensitive); null when none. */
  label: string | null;
  /** From a -seg model or the chained segmenter (maskScore: its predicted IoU); null for a plain detector. */
  mask: {
    rle: Rle;
    polygons: Polygon[];
    box: { x: number; y: number; w: number; h: number };
    area: number;
    maskScore: number | null;
  } | null;
}

export interface DetectResultJson {
  image: string;
  model: string;
  chainModel: string | null;
  provider: string | null;
  width: number;
  height: number;
  thresholds: DetectionSet['thresholds'];
  selectionRule: string;
  detections: DetectionJson[];
  timing: DetectionSet['timing'] & { materializeMs: number };
}

/** Image ids → files, sizes read from the file header (stored pixels, as the encoder sees them). */
class FileImageSource implements ImageSource {
  readonly cacheDir = null;
  private readonly sizes = new Map<number, Promise<{ width: number; height: number }>>();

  constructor(
    private readonly paths: ReadonlyMap<number, string>,
    private readonly labelList: WorkerLabel[],
  ) {}

  imagePath(imageId: number): string {
    const path = this.paths.get(imageId);
    if (!path) throw new AppError('not_found', `No image ${imageId} was given.`);
    return path;
  }

  imageSize(imageId: number): Promise<{ width: number; height: number }> {
    let size = this.sizes.get(imageId);
    if (!size) {
      const path = this.imagePath(imageId);
      size = sharp(path)
        .metadata()
        .then(
          ({ width, height }) => {
            if (!width || !height) throw new AppError('invalid_file', `${path} has no readable size.`);
            return { width, height };
          },
          (error: unknown) => {
            throw new AppError(
              'invalid_file',
              `${path} is not a readable image: ${error instanceof Error ? error.message : String(error)}`,
            );
          },
        );
      this.sizes.set(imageId, size);
    }
    return size;
  }

  labels(): WorkerLabel[] {
    return this.labelList;
  }
}

/** The engine's prompt checks name contract paths ("prompts.clicks[0]"); the CLI user typed options. */
async function validatedPrompt(source: ImageSource, imageId: number, prompts: PromptSet) {
  try {
    return await toWorkerPrompt(source, imageId, prompts);
  } catch (error) {
    if (error instanceof AppError && error.code === 'bad_request' && error.path) {
      const option = optionForPromptPath(error.path);
      throw new UsageError(
        `${option}: ${error.message.startsWith(`${error.path}: `) ? error.message.slice(error.path.length + 2) : error.message}`,
      );
    }
    throw error;
  }
}

function chosenIndices(set: CandidateSet, choice: CandidateChoice): number[] {
  switch (choice.kind) {
    case 'best':
      return [set.best];
    case 'all':
      return set.candidates.map((c) => c.index);
    case 'index':
      if (choice.index >= set.candidates.length) {
        throw new UsageError(
          `--candidate ${choice.index}: model ${set.modelId} gives ${set.candidates.length} candidates (0 to ${set.candidates.length - 1}).`,
        );
      }
      return [choice.index];
  }
}

/** Full-resolution mask of one candidate; an empty candidate is an all-zero RLE (materialize refuses those). */
async function fullCandidate(
  engine: InferenceEngine,
  set: CandidateSet,
  candidate: MaskCandidate,
  size: { width: number; height: number },
): Promise<SegmentCandidateJson> {
  const base = {
    index: candidate.index,
    score: candidate.score,
    note: candidate.note,
    stability: candidate.stability,
    labels: candidate.labels,
  };
  if (candidate.area === 0) {
    return {
      ...base,
      box: { x: 0, y: 0, w: 0, h: 0 },
      area: 0,
      rle: { size: [size.height, size.width], counts: countsToString([size.width * size.height]) },
      polygons: [],
    };
  }
  const mask = await engine.materialize(set.id, candidate.index);
  return { ...base, box: mask.box, area: mask.area, rle: mask.rle, polygons: mask.polygons };
}

async function writeMaskPng(path: string, rle: Rle): Promise<void> {
  const [height, width] = rle.size;
  const mask = rleToMask(rle);
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i] ? 255 : 0;
  await sharp(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w') // one grey channel, not RGB
    .png({ compressionLevel: 9 })
    .toFile(path);
}

const scoreName = (kind: SegmentResultJson['scoreKind']): string =>
  kind === 'confidence' ? 'confidence' : kind === 'predicted-iou' ? 'predicted IoU' : 'score';

function describe(result: SegmentResultJson): string {
  const shown = result.candidates.map((c) => {
    if (c.area === 0) return `candidate ${c.index} (empty)`;
    const label = c.labels[0] ? `, label "${c.labels[0].name}" ${c.labels[0].score.toFixed(2)}` : '';
    const note = c.note ? `${c.note}, ` : '';
    return `candidate ${c.index} (${note}${scoreName(result.scoreKind)} ${c.score === null ? 'none' : c.score.toFixed(2)}, stability ${c.stability.toFixed(2)}, ${c.area} px${label})`;
  });
  const t = result.timing;
  const features = t.featureSource === 'encoded' ? `encoded in ${t.encodeMs.toFixed(0)} ms` : `from ${t.featureSource}`;
  return `${result.width}×${result.height}, ${shown.join('; ')}; features ${features}, decoded in ${t.decodeMs.toFixed(1)} ms`;
}

/** Prompts go to prompt-taking models, detector options to detectors: said as a usage error, before any image is read. */
function checkPromptsFit(model: ModelInfo, request: SegmentArgs): void {
  if (model.kind === 'detector') {
    if (request.prompts)
      throw new UsageError(
        `${model.id} is a detector: it takes no prompts (drop --point, --box, --scribble, --text, --ref-image); add --chain SAM_MODEL for masks.`,
      );
    return;
  }
  if (!request.prompts)
    throw Object.keys(request.detect).length > 0
      ? new UsageError(`--chain, --conf, --iou and --max-det go with a detector; ${model.id} is a ${model.kind}.`)
      : noPromptError();
}

async function segmentOne(
  engine: InferenceEngine,
  source: FileImageSource,
  request: SegmentArgs,
  modelId: string,
  imageId: number,
  output: SegmentOutput,
  io: CliIo,
): Promise<void> {
  const prompt = await validatedPrompt(source, imageId, request.prompts!);
  const size = await source.imageSize(imageId);
  const set = await engine.segment(source, { imageId, modelId, prompt, options: request.options });
  const indices = chosenIndices(set, request.candidate);
  const started = performance.now();
  const candidates: SegmentCandidateJson[] = [];
  for (const index of indices) candidates.push(await fullCandidate(engine, set, set.candidates[index]!, size));
  const result: SegmentResultJson = {
    image: output.imagePath,
    model: set.modelId,
    provider: engine.status().activeProvider,
    width: size.width,
    height: size.height,
    candidates,
    best: set.best,
    selectionRule: set.selectionRule ?? null,
    scoreKind: set.scoreKind,
    timing: { ...set.timing, materializeMs: performance.now() - started },
  };
  ensureDir(dirname(output.outPath));
  if (output.format === 'png') await writeMaskPng(output.outPath, candidates[0]!.rle);
  else await writeFile(output.outPath, `${JSON.stringify(result, null, 2)}\n`);
  io.stdout(`Wrote ${output.outPath}: ${describe(result)}.\n`);
  if (candidates.some((c) => c.area === 0))
    io.stderr(`${output.imagePath}: the model found nothing there for these prompts (empty mask).\n`);
}

async function detectOne(
  engine: InferenceEngine,
  source: FileImageSource,
  request: SegmentArgs,
  modelId: string,
  imageId: number,
  output: SegmentOutput,
  io: CliIo,
): Promise<void> {
  if (output.format !== 'json')
    throw new UsageError(`${modelId} is a detector: its results are a list of detections, written as .json (not ${output.format}).`);
  const size = await source.imageSize(imageId);
  const set = await engine.detect(source, { imageId, modelId, ...request.detect });
  const started = performance.now();
  const detections: DetectionJson[] = [];
  for (const d of set.detections) {
    let mask: DetectionJson['mask'] = null;
    if (d.mask) {
      const m = await engine.materialize(set.id, d.index);
      mask = { rle: m.rle, polygons: m.polygons, box: m.box, area: m.area, maskScore: d.mask.maskScore };
    }
    detections.push({
      index: d.index,
      classId: d.classId,
      className: d.className,
      score: d.score,
      box: d.box,
      label: d.label?.name ?? null,
      mask,
    });
  }
  const result: DetectResultJson = {
    image: output.imagePath,
    model: set.modelId,
    chainModel: set.chainModelId,
    provider: engine.status().activeProvider,
    width: size.width,
    height: size.height,
    thresholds: set.thresholds,
    selectionRule: set.selectionRule,
    detections,
    timing: { ...set.timing, materializeMs: performance.now() - started },
  };
  ensureDir(dirname(output.outPath));
  await writeFile(output.outPath, `${JSON.stringify(result, null, 2)}\n`);
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.className, (counts.get(d.className) ?? 0) + 1);
  const listed = [...counts].map(([name, n]) => `${n} ${name}`).join(', ') || 'nothing';
  const withMasks = detections.filter((d) => d.mask).length;
  io.stdout(
    `Wrote ${output.outPath}: ${size.width}×${size.height}, ${listed} (conf > ${set.thresholds.conf}, NMS IoU > ${set.thresholds.iou})${withMasks ? `, ${withMasks} with masks` : ''}; in ${set.timing.totalMs.toFixed(0)} ms.\n`,
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const segmentCommand: CliCommand = {
  name: 'segment',
  summary: "segment objects in image files from points, a box, scribbles, text or a reference region (the app's engine)",
  usage: SEGMENT_USAGE,
  async run(args, io) {
    const request = parseSegmentArgs(args);
    const engine = createCliEngine({
      ...(request.modelId ? { modelId: request.modelId } : {}),
      ...(request.provider ? { executionProvider: request.provider } : {}),
    });
    try {
      // Without --model: the model a new project would start on.
      const modelId = request.modelId ?? (await engine.defaultModel());
      // The worker knows which execution providers its onnxruntime has.
      if (request.provider) await engine.checkExecutionProvider(request.provider);
      const model = await usableModel(engine, modelId);
      checkPromptsFit(model, request);
      // Only segmenters with class embeddings have a vocabulary of their own.
      const vocabulary = model.kind === 'segmenter' && model.capabilities.labels ? (await readManifest(model.dir)).labels.all : [];
      const names = request.labels ?? vocabulary;
      if (request.labels && !model.capabilities.labels) io.stderr(`Model ${modelId} gives no semantic labels; --labels is ignored.\n`);
      const paths = new Map(request.outputs.map((output, i): [number, string] => [i + 1, output.imagePath]));
      if (request.referenceImagePath) paths.set(referenceImageId(request.outputs.length), request.referenceImagePath);
      const source = new FileImageSource(
        paths,
        names.map((name) => ({ labelId: name, name })),
      );

      const one = model.kind === 'detector' ? detectOne : segmentOne;
      if (request.outputs.length === 1) {
        await one(engine, source, request, modelId, 1, request.outputs[0]!, io);
        return 0;
      }
      // Batch: one image's failure (a prompt outside it, an unreadable file) does not stop the others.
      let failed = 0;
      for (const [i, output] of request.outputs.entries()) {
        try {
          await one(engine, source, request, modelId, i + 1, output, io);
        } catch (error) {
          if (!(error instanceof AppError || error instanceof UsageError)) throw error;
          failed++;
          io.stderr(`promptlabel segment: ${output.imagePath}: ${message(error)}\n`);
        }
      }
      if (failed > 0) io.stderr(`${failed} of ${request.outputs.length} images failed.\n`);
      return failed > 0 ? 1 : 0;
    } finally {
      await engine.close();
    }
  },
};
