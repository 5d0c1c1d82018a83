// A detector's answer (ai.detect) as the AI session shows it: each detection
// becomes a candidate like segment everything's proposals, so the canvas,
// the list, Tab and Accept work unchanged. A detection without a mask (a
// plain detector, not chained to SAM) is drawn as its filled box and stored
// as a box annotation. Class names land on project labels through the
// engine's answer, and again here after the user maps names (ai.setLabelMap),
// without running the detector again. Pure, so it is unit-tested directly.
import type {
  Annotation,
  CandidateSet,
  Detection,
  DetectionLabel,
  DetectionSet,
  Label,
  LabelMap,
  MaskCandidate,
  ModelInfo,
} from '../../../common/contract/index.js';
import { countsToString } from '../../../common/geometry/rle.js';
import { newAnnotation } from '../lib/newAnnotation.js';
import { clampScore } from './aiPrompts.js';

/** The built-in model trained on synthetic shapes: the one model whose limits the candidates must state. */
export const DEMO_MODEL_ID = 'shapes-seem-tiny';

export const isDemoModel = (model: ModelInfo | undefined): boolean => model?.id === DEMO_MODEL_ID;

/** The model proposes objects on the whole image (ai.detect) rather than taking prompts. */
export const isDetector = (model: ModelInfo | undefined): boolean => model?.capabilities.detect === true;

/**
 * Models that can turn a detector's boxes into masks: SAM-family segmenters
 * (SAM / MobileSAM exports, SAM 2) take boxes and have no text, reference or
 * label heads; the demo model is never offered.
 */
export function chainableModels(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter((m) => {
    if (m.problem !== null || m.id === DEMO_MODEL_ID || !m.capabilities.box) return false;
    if (m.kind === 'sam2') return true;
    return m.kind === 'segmenter' && !m.capabilities.text && !m.capabilities.reference && !m.capabilities.labels;
  });
}

const norm = (name: string): string => name.trim().toLowerCase();

/** The project label a class name lands on: the model's map first, then the same name (case-insensitive); as the engine decides. */
export function labelForClass(className: string, labels: readonly Label[], map: LabelMap): DetectionLabel | null {
  const find = (name: string) => labels.find((l) => l.name === name) ?? labels.find((l) => norm(l.name) === norm(name));
  const mapped = map[className] !== undefined ? find(map[className]) : undefined;
  if (mapped) return { labelId: mapped.id, name: mapped.name, via: 'labelMap' };
  const same = find(className);
  return same ? { labelId: same.id, name: same.name, via: 'name' } : null;
}

/** The detections with their labels decided again (after a mapping was saved or a label was made). */
export function remapDetections(set: DetectionSet, labels: readonly Label[], map: LabelMap): DetectionSet {
  const detections = set.detections.map((d) => {
    const label = labelForClass(d.className, labels, map) ?? (d.label && labels.some((l) => l.id === d.label!.labelId) ? d.label : null);
    return { ...d, label };
  });
  return { ...set, detections, unmappedClasses: [...new Set(detections.filter((d) => d.label === null).map((d) => d.className))] };
}

/** Integer pixel bounds of a detection's box, clipped to be at least one pixel. */
function boxBounds(box: Detection['box']): { x: number; y: number; w: number; h: number } {
  const x = Math.floor(box[0]);
  const y = Math.floor(box[1]);
  return { x, y, w: Math.max(1, Math.ceil(box[2]) - x), h: Math.max(1, Math.ceil(box[3]) - y) };
}

/** A detection as a candidate: its mask, or its filled box (an all-ones RLE at scale 1, at most 512 px a side). */
export function detectionCandidate(d: Detection): MaskCandidate {
  const labels = d.label ? [{ labelId: d.label.labelId, name: d.label.name, score: d.score }] : [];
  const common = { index: d.index, score: d.score, note: d.className, stability: 1, labels, labelConfident: d.label !== null };
  if (d.mask) return { ...common, box: d.mask.box, area: d.mask.area, crop: d.mask.crop };
  const box = boxBounds(d.box);
  const scale = Math.min(1, 512 / Math.max(box.w, box.h));
  const cw = Math.max(1, Math.ceil(box.w * scale));
  const ch = Math.max(1, Math.ceil(box.h * scale));
  return { ...common, box, area: box.w * box.h, crop: { rle: { size: [ch, cw], counts: countsToString([0, cw * ch]) }, scale } };
}

/** The detection set as the candidate set the canvas and the panel show (score: the detector's confidence). */
export function detectionCandidates(set: DetectionSet): CandidateSet {
  const candidates = set.detections.map(detectionCandidate);
  return {
    id: set.id,
    imageId: set.imageId,
    modelId: set.modelId,
    candidates,
    best: candidates[0]?.index ?? 0,
    selectionRule: set.selectionRule,
    scoreKind: 'confidence',
    timing: set.timing,
  };
}

/** A detection without a mask, accepted: its box, labelled, the detector as its source and its score. */
export function detectionBoxAnnotation(
  d: Detection,
  set: Pick<DetectionSet, 'imageId' | 'modelId'>,
  labelId: string | null,
  labels: readonly Label[],
): Annotation {
  const known = labelId !== null && labels.some((l) => l.id === labelId);
  const [x0, y0, x1, y1] = d.box;
  return newAnnotation({
    imageId: set.imageId,
    labelId: known ? labelId : null,
    geometry: { kind: 'box', box: { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) } },
    score: clampScore(d.score),
    source: set.modelId,
  });
}
