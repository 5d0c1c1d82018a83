// The manifest of an Ultralytics YOLO detector or instance segmenter (kind
// "yolo-detector"), v8 / 11 exported with `format=onnx`: `images`
// [1, 3, S, S] in, `output0` out ([1, 4 + classes (+ maskDims), anchors] for
// the usual head; [1, N, 6 (+ maskDims)] = x1, y1, x2, y2, score, class for
// end-to-end heads with NMS in the graph), plus `output1` prototypes
// [1, maskDims, S/4, S/4] for segmenters. It takes no prompt: it proposes
// whole-image detections with class names, so its only capability is
// "everything". The class names come from the graph's metadata or a names
// file the user gave, in class-index order. Written by the model recogniser
// (engine/recognition/), read by the registry (main process: nothing here
// loads onnxruntime) and by the detector provider in this folder.
import { join } from 'node:path';

import { z } from 'zod';

import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/ai.js';
import { colourRule } from '../../imaging/rules.js';
import { describeFileProblems, verifyFiles } from '../../integrity.js';
import { describeModelFolder } from '../describeModelFolder.js';
import { ioSpec, listsFile, manifestHeader, modelFiles, modelOrigin, parseManifestWith, readManifestJson } from '../manifestBase.js';

export const DETECTOR_MANIFEST_KIND = 'yolo-detector';
export const YOLO_INPUT = 'images';
export const YOLO_OUTPUT = 'output0';
export const YOLO_PROTOTYPES = 'output1';

/** Whole-image proposals only: a detector takes no clicks, boxes or strokes. */
export const DETECTOR_CAPABILITIES: PromptCapabilities = {
  points: false,
  box: false,
  scribble: false,
  text: false,
  reference: false,
  labels: false,
  wand: false,
  regions: false,
  everything: true,
  detect: true,
  promptNote: 'A detector takes no clicks or boxes: it proposes objects for the whole image.',
};

const probability = z.number().gt(0).lt(1);

export const detectorManifestSchema = manifestHeader(DETECTOR_MANIFEST_KIND)
  .extend({
    files: modelFiles,
    origin: modelOrigin.optional(),
    model: ioSpec,
    /** detect: boxes; segment: boxes and masks (prototypes x coefficients). */
    task: z.enum(['detect', 'segment']),
    /** anchors: output0 [1, 4 + classes (+ maskDims), A], NMS by the client; end2end: [1, N, 6 (+ maskDims)], NMS done in the graph. */
    head: z.enum(['anchors', 'end2end']),
    /** Class names by class index. */
    classes: z.array(z.string().min(1)).min(1),
    preprocessing: z.object({
      /** S: the image is letterboxed into S x S. */
      inputSize: z.number().int().positive(),
      /** Ultralytics' LetterBox: scale to fit, centred, padding split with the odd pixel right/bottom, OpenCV INTER_LINEAR. */
      resize: z.literal('letterbox'),
      /** Pixel values as stored in the file (cv2 ignores ICC profiles), or converted to sRGB. */
      colour: colourRule,
      /** Grey value of the padding (114). */
      padValue: z.number().int().min(0).max(255),
      /** Pixels are divided by this (255): input = rgb / pixelDivisor. */
      pixelDivisor: z.number().positive(),
    }),
    postprocessing: z.object({
      /** Default score threshold: a detection is kept when its score is > this. */
      confThreshold: probability,
      /** Default NMS threshold: a box is suppressed when its IoU with a better one of its class is > this. */
      iouThreshold: probability,
      maxDetections: z.number().int().positive(),
      /** Mask coefficients per detection (32 for segmenters, 0 for detectors). */
      maskDims: z.number().int().nonnegative(),
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (!listsFile(m.files, m.model.file)) issue(['model', 'file'], `"${m.model.file}" is not listed in "files" (its sha256 and size are needed)`);
    const s = m.preprocessing.inputSize;
    const image = m.model.inputs.find((t) => t.name === YOLO_INPUT);
    if (m.model.inputs.length !== 1 || !image) issue(['model', 'inputs'], `a YOLO model has exactly one input, "${YOLO_INPUT}"`);
    else if (image.type !== 'float32' || !dimsFit(image.shape, [1, 3, s, s])) issue(['model', 'inputs', 0], `"${YOLO_INPUT}" must be float32 [1, 3, ${s}, ${s}] (preprocessing.inputSize)`);
    const out0 = m.model.outputs.find((t) => t.name === YOLO_OUTPUT);
    const out1 = m.model.outputs.find((t) => t.name === YOLO_PROTOTYPES);
    const nm = m.postprocessing.maskDims;
    const nc = m.classes.length;
    if (!out0) issue(['model', 'outputs'], `the output "${YOLO_OUTPUT}" is missing`);
    else if (m.head === 'anchors' && !dimsFit(out0.shape, [1, 4 + nc + nm, null]))
      issue(['model', 'outputs'], `"${YOLO_OUTPUT}" must be [1, ${4 + nc + nm}, anchors] (4 box values + ${nc} classes${nm ? ` + ${nm} mask coefficients` : ''})`);
    else if (m.head === 'end2end' && !dimsFit(out0.shape, [1, null, 6 + nm])) issue(['model', 'outputs'], `"${YOLO_OUTPUT}" of an end-to-end head must be [1, N, ${6 + nm}]`);
    if (m.task === 'segment') {
      if (nm === 0) issue(['postprocessing', 'maskDims'], 'a segmenter has mask coefficients (maskDims > 0)');
      if (!out1) issue(['model', 'outputs'], `a segmenter has the prototype output "${YOLO_PROTOTYPES}"`);
      else if (!dimsFit(out1.shape, [1, nm, null, null])) issue(['model', 'outputs'], `"${YOLO_PROTOTYPES}" must be [1, ${nm}, h, w] (postprocessing.maskDims)`);
    } else if (nm !== 0) issue(['postprocessing', 'maskDims'], 'a detector has no mask coefficients (maskDims 0)');
  });

export type DetectorManifest = z.infer<typeof detectorManifestSchema>;

/** Numbers must match where both sides have one; null and named dimensions match anything. */
function dimsFit(shape: ReadonlyArray<number | string>, expected: ReadonlyArray<number | null>): boolean {
  return shape.length === expected.length && shape.every((d, i) => typeof d === 'string' || expected[i] === null || d === expected[i]);
}

export function parseDetectorManifest(raw: unknown, source: string): DetectorManifest {
  return parseManifestWith(detectorManifestSchema, raw, source, 'YOLO model manifest');
}

export async function readDetectorManifest(dir: string): Promise<DetectorManifest> {
  return parseDetectorManifest(await readManifestJson(dir), join(dir, 'manifest.json'));
}

/** The registry entry for a YOLO folder; a broken one is listed with the reason. */
export async function describeDetector(dir: string, source: ModelInfo['source']): Promise<ModelInfo> {
  return describeModelFolder(dir, 'detector', source, readDetectorManifest, async (m) => ({
    note: `${m.task === 'segment' ? 'Instance segmenter' : 'Detector'} (${m.classes.length} classes): proposes boxes${m.task === 'segment' ? ' and masks' : ''} for the whole image; it takes no clicks or boxes.`,
    problem: describeFileProblems(await verifyFiles(dir, m.files)),
    capabilities: DETECTOR_CAPABILITIES,
    classNames: m.classes,
  }));
}
