// Where an image sits in a Segment Anything style model: the frame (the
// longest side resized to the input square's side, the rest zero padding)
// and the embedding grid the encoder lays over that square. Image pixels go
// into the model frame through toModelFrame, once. Shared by the segmenter,
// the feature cache and the candidate masks (SAM 2 exports use the same frame).

export interface ModelFrame {
  origWidth: number;
  origHeight: number;
  /** Size of the resized, unpadded image inside the input square. */
  resizedWidth: number;
  resizedHeight: number;
  inputSize: number;
}

/** The encoder's output over the input square. */
export interface EmbeddingGrid {
  /** C x g x g, row-major (the encoder output without the batch dim). */
  data: Float32Array;
  channels: number;
  grid: number;
  /** Model-frame pixels per grid cell. */
  stride: number;
}

/** SAM's ResizeLongestSide.get_preprocess_shape. */
export function resizedSize(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

export function makeFrame(width: number, height: number, inputSize: number): ModelFrame {
  const r = resizedSize(width, height, inputSize);
  return { origWidth: width, origHeight: height, resizedWidth: r.width, resizedHeight: r.height, inputSize };
}

/** Image pixel coordinates -> model-frame coordinates (what point_coords expects). */
export function toModelFrame(frame: ModelFrame, x: number, y: number): [number, number] {
  return [(x * frame.resizedWidth) / frame.origWidth, (y * frame.resizedHeight) / frame.origHeight];
}
