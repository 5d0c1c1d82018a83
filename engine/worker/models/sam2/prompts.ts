// WorkerPrompt (image pixels) -> a SAM 2 decoder's point_coords /
// point_labels, as SAM2ImagePredictor builds them: the image is stretched to
// the input square, so a point (x, y) becomes (x / W * S, y / H * S); the box
// goes first as two corners labelled 2 and 3, then the clicks (1 positive, 0
// negative). No padding point and no +0.5: the exported graphs (samexporter,
// ibaiGorordo) add both themselves, also when there is a box, so Segment
// Anything's client rules do not carry over.
import type { WorkerPrompt } from '../../../protocol.js';
import { samplePoints } from '../segmenter/prompts.js';

export const SAM2_LABEL_NEGATIVE = 0;
export const SAM2_LABEL_POSITIVE = 1;
export const SAM2_LABEL_BOX_TOP_LEFT = 2;
export const SAM2_LABEL_BOX_BOTTOM_RIGHT = 3;

/** Scribbles are sampled to points; more than this adds nothing but decoder time. */
export const SAM2_MAX_STROKE_POINTS = 64;

export interface Sam2Points {
  /** [n, 2] in the input square's pixels. */
  coords: Float32Array;
  labels: Float32Array;
  count: number;
}

/** Image pixels -> the stretched input square (S x S). */
export function toSam2Frame(x: number, y: number, width: number, height: number, inputSize: number): [number, number] {
  return [(x / width) * inputSize, (y / height) * inputSize];
}

export function sam2Points(prompt: Pick<WorkerPrompt, 'clicks' | 'box' | 'scribbles'>, width: number, height: number, inputSize: number): Sam2Points {
  const coords: number[] = [];
  const labels: number[] = [];
  const push = (x: number, y: number, label: number): void => {
    coords.push(...toSam2Frame(x, y, width, height, inputSize));
    labels.push(label);
  };
  if (prompt.box) {
    push(prompt.box[0], prompt.box[1], SAM2_LABEL_BOX_TOP_LEFT);
    push(prompt.box[2], prompt.box[3], SAM2_LABEL_BOX_BOTTOM_RIGHT);
  }
  for (const c of prompt.clicks) push(c.x, c.y, c.positive ? SAM2_LABEL_POSITIVE : SAM2_LABEL_NEGATIVE);
  for (const positive of [true, false]) {
    const points = prompt.scribbles.filter((s) => s.positive === positive).flatMap((s) => s.points);
    for (const [x, y] of samplePoints(points, SAM2_MAX_STROKE_POINTS)) push(x, y, positive ? SAM2_LABEL_POSITIVE : SAM2_LABEL_NEGATIVE);
  }
  return { coords: Float32Array.from(coords), labels: Float32Array.from(labels), count: labels.length };
}
