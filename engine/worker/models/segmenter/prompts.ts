// Turns user prompts (in image pixels) into the Segment Anything decoder
// inputs: point_coords / point_labels in the model frame (the one place
// where image pixels are converted), box corners as labels 2/3, the padding
// point (0,0,-1) SAM expects when there is no box, scribbles sampled to at
// most maxPoints (SEEM's visual sampler), plus the optional memory
// (mask_input), text and reference inputs, and the size the masks come out at.
import { type ModelFrame,toModelFrame } from '../../modelFrame.js';

export const LABEL_NEGATIVE = 0;
export const LABEL_POSITIVE = 1;
export const LABEL_BOX_TOP_LEFT = 2;
export const LABEL_BOX_BOTTOM_RIGHT = 3;
export const LABEL_PADDING = -1;

export interface ClickPrompt {
  x: number;
  y: number;
  positive: boolean;
}

/** The decoder's prompt, in image pixels (the provider assembles it from a WorkerPrompt: embeddings for text and reference regions). */
export interface SegmentPrompt {
  clicks?: ClickPrompt[];
  box?: [number, number, number, number];
  /** Stroke or polygon outline points (image px); all positive. */
  scribble?: ReadonlyArray<readonly [number, number]>;
  textEmbedding?: Float32Array;
  refEmbedding?: Float32Array;
  /** Previous round's low-res logits for the chosen mask (memory prompt). */
  maskInput?: Float32Array;
}

export interface DecoderFeedArrays {
  pointCoords: Float32Array;
  pointLabels: Float32Array;
  numPoints: number;
  maskInput: Float32Array;
  hasMaskInput: number;
  textEmbedding: Float32Array;
  hasText: number;
  refEmbedding: Float32Array;
  hasRef: number;
  origImSize: Float32Array;
}

/** The size of the decoder's `masks` output (its orig_im_size input). */
export interface OutputSize {
  width: number;
  height: number;
}

export interface FeedDims {
  lowResMaskSize: number;
  textDim: number;
  refDim: number;
  maxPoints: number;
}

/** Uniformly spaced subset of at most `max` points (indices rounded like numpy). */
export function samplePoints<T>(points: ReadonlyArray<T>, max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

/** `outputSize` defaults to the original image; the decoder's own upsampling stops there. */
export function buildDecoderFeeds(
  frame: ModelFrame,
  prompt: SegmentPrompt,
  dims: FeedDims,
  outputSize: OutputSize = { width: frame.origWidth, height: frame.origHeight },
): DecoderFeedArrays {
  const coords: number[] = [];
  const labels: number[] = [];
  const push = (x: number, y: number, label: number): void => {
    const [mx, my] = toModelFrame(frame, x, y);
    coords.push(mx, my);
    labels.push(label);
  };
  for (const c of prompt.clicks ?? []) push(c.x, c.y, c.positive ? LABEL_POSITIVE : LABEL_NEGATIVE);
  const box = prompt.box;
  // leave room for the padding point / box corners within maxPoints
  const reserve = (prompt.clicks?.length ?? 0) + (box ? 2 : 1);
  for (const [x, y] of samplePoints(prompt.scribble ?? [], Math.max(1, dims.maxPoints - reserve))) push(x, y, LABEL_POSITIVE);
  if (box) {
    push(box[0], box[1], LABEL_BOX_TOP_LEFT);
    push(box[2], box[3], LABEL_BOX_BOTTOM_RIGHT);
  } else {
    coords.push(0, 0); // SAM convention: without a box, one padding point
    labels.push(LABEL_PADDING);
  }
  const lr = dims.lowResMaskSize;
  return {
    pointCoords: Float32Array.from(coords),
    pointLabels: Float32Array.from(labels),
    numPoints: labels.length,
    maskInput: prompt.maskInput ?? new Float32Array(lr * lr),
    hasMaskInput: prompt.maskInput ? 1 : 0,
    textEmbedding: prompt.textEmbedding ?? new Float32Array(dims.textDim),
    hasText: prompt.textEmbedding ? 1 : 0,
    refEmbedding: prompt.refEmbedding ?? new Float32Array(dims.refDim),
    hasRef: prompt.refEmbedding ? 1 : 0,
    origImSize: Float32Array.from([outputSize.height, outputSize.width]),
  };
}
