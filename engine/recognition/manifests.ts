// The manifest.json of a recognised model, written so nobody has to: the
// kind (promptable-segmenter for Segment Anything / MobileSAM, sam2-segmenter,
// yolo-detector), the tensors as the graph declares them, the family's
// preprocessing rule (engine/worker/imaging/rules.ts), class names,
// thresholds, the files with sha256 and size, and where the model came from.
// Each manifest is validated by its kind's own schema before it is written,
// so what the registry reads back is exactly what was checked here.
import { AppError } from '../../common/contract/result.js';
import { type FileEntry, type IoSpec, type ModelOrigin, type TensorSpec } from '../worker/models/manifestBase.js';
import { parseSam2Manifest, SAM2_MANIFEST_KIND } from '../worker/models/sam2/manifest.js';
import { parseManifest, SEGMENTER_MANIFEST_KIND } from '../worker/models/segmenter/manifest.js';
import { DETECTOR_MANIFEST_KIND, parseDetectorManifest } from '../worker/models/yolo/manifest.js';
import type { OnnxTensor } from './onnxGraph.js';
import type { RecognisedFile, RecognisedModel } from './recognise.js';

/** Segment Anything's and SAM 2's normalisation (ImageNet's mean and std, x 255). */
const IMAGENET_MEAN: [number, number, number] = [123.675, 116.28, 103.53];
const IMAGENET_STD: [number, number, number] = [58.395, 57.12, 57.375];
/** Points per decoder call: SAM was trained with a handful of clicks, so scribbles are sampled to this. */
const MAX_POINTS = 16;
/** Ultralytics' predict defaults. */
export const YOLO_DEFAULT_THRESHOLDS = { conf: 0.25, iou: 0.7, maxDetections: 300 };

export interface ManifestRequest {
  model: RecognisedModel;
  id: string;
  displayName: string;
  /** Every installed file by key (encoder, decoder, model, external data), paths inside the model folder. */
  files: Record<string, FileEntry>;
  /** The folder-relative path each part was installed as. */
  paths: { encoder?: string; decoder?: string; model?: string };
  origin: ModelOrigin;
  /** Thresholds a config gave (X-AnyLabeling's conf_threshold / nms_threshold); else Ultralytics' defaults. */
  thresholds?: { conf?: number; iou?: number };
}

export interface BuiltManifest {
  raw: object;
  checks: IoSpec[];
}

const TENSOR_TYPES: readonly TensorSpec['type'][] = ['float32', 'int64', 'int32'];

/** A graph tensor as a manifest TensorSpec; unnamed dimensions get a name (they match anything). */
function spec(t: OnnxTensor, file: string): TensorSpec {
  const type = TENSOR_TYPES.find((known) => known === t.type);
  if (!type)
    throw new AppError(
      'invalid_file',
      `${file}: ${t.name} is ${t.type}; this app feeds and reads float32, int64 and int32 tensors only (export the model in float32). Nothing was installed.`,
    );
  const shape = (t.shape ?? []).map((d, i) => (d === null ? `d${i}` : d));
  return { name: t.name, type, shape };
}

function io(part: RecognisedFile, path: string): IoSpec {
  return { file: path, inputs: part.graph.inputs.map((t) => spec(t, path)), outputs: part.graph.outputs.map((t) => spec(t, path)) };
}

function header(r: ManifestRequest, kind: string, part: RecognisedFile) {
  const metadata = part.graph.metadata;
  return {
    id: r.id,
    displayName: r.displayName,
    kind,
    version: metadata.version ?? '1',
    license: metadata.license ?? 'unknown (not stated in the model files)',
    files: r.files,
    origin: r.origin,
  };
}

function samManifest(r: ManifestRequest & { model: Extract<RecognisedModel, { family: 'sam' }> }): BuiltManifest {
  const { encoder, decoder } = r.model;
  const e = encoder.role;
  const d = decoder.role;
  const inputSize = e.inputSize ?? d.grid * 16;
  // The embeddings as the decoder takes them: exporters often leave the encoder's output dimensions symbolic.
  const encoderIo = io(encoder, r.paths.encoder!);
  encoderIo.outputs = encoderIo.outputs.map((t) => ({ ...t, shape: [1, d.channels, d.grid, d.grid] }));
  const raw = {
    ...header(r, SEGMENTER_MANIFEST_KIND, decoder),
    trainedOn: 'unknown: added from its ONNX files (Segment Anything format)',
    encoder: encoderIo,
    decoder: {
      ...io(decoder, r.paths.decoder!),
      maskThreshold: 0,
      numMasks: d.numMasks,
      maxPoints: MAX_POINTS,
      bestMask: d.numMasks === 4 ? 'sam-select' : 'max-iou',
    },
    preprocessing: {
      inputSize,
      /** Which input the encoder takes: the normalised, padded [1, 3, S, S] tensor, or ("raw-hwc") the resized image [h, w, 3] in 0-255. */
      encoderInput: e.input,
      resize: 'pillow-bilinear',
      colour: 'stored',
      pixelMean: IMAGENET_MEAN,
      pixelStd: IMAGENET_STD,
      embeddingGrid: d.grid,
      embeddingStride: inputSize / d.grid,
      lowResMaskSize: d.lowResMaskSize,
    },
  };
  parseManifest(raw, 'the manifest being written');
  return { raw, checks: [raw.encoder, raw.decoder] };
}

function sam2Manifest(r: ManifestRequest & { model: Extract<RecognisedModel, { family: 'sam2' }> }): BuiltManifest {
  const { encoder, decoder } = r.model;
  const raw = {
    ...header(r, SAM2_MANIFEST_KIND, decoder),
    encoder: io(encoder, r.paths.encoder!),
    decoder: {
      ...io(decoder, r.paths.decoder!),
      format: decoder.role.format,
      numMasks: decoder.role.numMasks,
      maskThreshold: 0,
      maxPoints: MAX_POINTS,
    },
    preprocessing: {
      inputSize: encoder.role.inputSize,
      resize: 'stretch-bilinear-antialias',
      colour: 'stored',
      pixelMean: IMAGENET_MEAN,
      pixelStd: IMAGENET_STD,
      lowResMaskSize: decoder.role.lowResMaskSize,
    },
  };
  parseSam2Manifest(raw, 'the manifest being written');
  return { raw, checks: [raw.encoder, raw.decoder] };
}

function yoloManifest(r: ManifestRequest & { model: Extract<RecognisedModel, { family: 'yolo' }> }): BuiltManifest {
  const { model, classes } = r.model;
  const role = model.role;
  const raw = {
    ...header(r, DETECTOR_MANIFEST_KIND, model),
    model: io(model, r.paths.model!),
    task: role.task,
    head: role.head,
    classes,
    preprocessing: { inputSize: role.inputSize, resize: 'letterbox', colour: 'stored', padValue: 114, pixelDivisor: 255 },
    postprocessing: {
      confThreshold: r.thresholds?.conf ?? YOLO_DEFAULT_THRESHOLDS.conf,
      iouThreshold: r.thresholds?.iou ?? YOLO_DEFAULT_THRESHOLDS.iou,
      maxDetections: YOLO_DEFAULT_THRESHOLDS.maxDetections,
      maskDims: role.maskDims,
    },
  };
  parseDetectorManifest(raw, 'the manifest being written');
  return { raw, checks: [raw.model] };
}

/** The validated manifest.json content for a recognised model, and the tensors each ONNX file must have (checked in onnxruntime before installing). */
export function buildManifest(r: ManifestRequest): BuiltManifest {
  switch (r.model.family) {
    case 'sam':
      return samManifest({ ...r, model: r.model });
    case 'sam2':
      return sam2Manifest({ ...r, model: r.model });
    case 'yolo':
      return yoloManifest({ ...r, model: r.model });
  }
}
