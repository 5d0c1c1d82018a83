// Ultralytics YOLO heads -> detections, the way Ultralytics' own predict
// does it: per anchor its best class only, kept when the score is strictly
// above `conf`, then non-maximum suppression per class that drops a box whose
// IoU with a better one of its class is strictly above `iou`, best first, at
// most `maxDetections`. End-to-end heads (YOLOv10 / YOLO26 `end2end`) have
// done the NMS in the graph: their rows are only filtered by score. Boxes
// stay in the letterboxed input's pixels here (geometry.ts brings them back).
import type { XYXY } from './geometry.js';

export interface Thresholds {
  /** Keep a detection whose score is > conf. */
  conf: number;
  /** Suppress a box whose IoU with a better box of its class is > iou. */
  iou: number;
  maxDetections: number;
}

/** Ultralytics' predict defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = { conf: 0.25, iou: 0.7, maxDetections: 300 };

/** Ultralytics' non_max_suppression looks at this many of the best candidates at most. */
const MAX_NMS_INPUT = 30_000;

export interface RawDetection {
  /** Letterboxed input pixels. */
  box: XYXY;
  score: number;
  classId: number;
  /** Where it came from: the anchor (raw head) or the row (end-to-end head). */
  source: number;
  /** Mask coefficients (segmentation heads); empty for detectors. */
  coefficients: Float32Array;
}

/** A raw head's layout: output0 is [1, 4 + classes + maskDims, anchors], channel-major. */
export interface RawHead {
  data: Float32Array;
  classes: number;
  maskDims: number;
  anchors: number;
}

/** Best class per anchor, score strictly above conf, centre boxes to corners. */
export function candidatesOfRawHead(head: RawHead, conf: number): RawDetection[] {
  const { data, classes, maskDims, anchors: a } = head;
  const channels = 4 + classes + maskDims;
  if (data.length !== channels * a) throw new RangeError(`output0 holds ${data.length} values, expected ${channels} x ${a}`);
  const found: RawDetection[] = [];
  for (let i = 0; i < a; i++) {
    let best = -Infinity;
    let classId = 0;
    for (let c = 0; c < classes; c++) {
      const s = data[(4 + c) * a + i]!;
      if (s > best) {
        best = s;
        classId = c;
      }
    }
    if (!(best > conf)) continue;
    const cx = data[i]!;
    const cy = data[a + i]!;
    const w = data[2 * a + i]!;
    const h = data[3 * a + i]!;
    const coefficients = new Float32Array(maskDims);
    for (let k = 0; k < maskDims; k++) coefficients[k] = data[(4 + classes + k) * a + i]!;
    found.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score: best, classId, source: i, coefficients });
  }
  return found;
}

export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const iw = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const ih = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS within each class: best score first (ties keep their input
 * order), a box is dropped when its IoU with a kept box of its class is > iou.
 */
export function nmsPerClass(candidates: readonly RawDetection[], iou: number, maxDetections: number): RawDetection[] {
  const order = candidates
    .map((c, i) => ({ c, i }))
    .sort((p, q) => q.c.score - p.c.score || p.i - q.i)
    .slice(0, MAX_NMS_INPUT)
    .map((p) => p.c);
  const kept: RawDetection[] = [];
  const keptByClass = new Map<number, RawDetection[]>();
  for (const c of order) {
    if (kept.length >= maxDetections) break;
    const same = keptByClass.get(c.classId) ?? [];
    if (same.some((k) => boxIoU(k.box, c.box) > iou)) continue;
    same.push(c);
    keptByClass.set(c.classId, same);
    kept.push(c);
  }
  return kept;
}

/** Raw head -> final detections (letterboxed pixels). */
export function decodeRawHead(head: RawHead, thresholds: Thresholds): RawDetection[] {
  return nmsPerClass(candidatesOfRawHead(head, thresholds.conf), thresholds.iou, thresholds.maxDetections);
}

/** An end-to-end head: [1, rows, 6 + maskDims] = x0, y0, x1, y1, score, class (, coefficients); NMS done in the graph. */
export interface EndToEndHead {
  data: Float32Array;
  rows: number;
  maskDims: number;
}

export function decodeEndToEndHead(head: EndToEndHead, thresholds: Pick<Thresholds, 'conf' | 'maxDetections'>): RawDetection[] {
  const { data, rows, maskDims } = head;
  const width = 6 + maskDims;
  if (data.length !== rows * width) throw new RangeError(`output0 holds ${data.length} values, expected ${rows} x ${width}`);
  const found: RawDetection[] = [];
  for (let r = 0; r < rows && found.length < thresholds.maxDetections; r++) {
    const at = r * width;
    const score = data[at + 4]!;
    if (!(score > thresholds.conf)) continue;
    found.push({
      box: [data[at]!, data[at + 1]!, data[at + 2]!, data[at + 3]!],
      score,
      classId: Math.round(data[at + 5]!),
      source: r,
      coefficients: data.slice(at + 6, at + width),
    });
  }
  return found;
}
