// Back from an Ultralytics YOLO input to the image: the letterbox's
// inversion with Ultralytics' own rounding (Python's round: half to even),
// so a box comes back to the original pixels exactly as `scale_boxes` puts
// it, and a mask's window on the prototype grid is `scale_masks`' one. The
// letterbox itself (placement and pixels) is the imaging module's
// (engine/worker/imaging/letterbox.ts); this is only arithmetic.

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** x0, y0, x1, y1. */
export type XYXY = [number, number, number, number];

/**
 * A box in the letterboxed input back to image pixels, as Ultralytics'
 * scale_boxes does it: the padding recomputed from the gain, then divided by
 * it, then clipped to the image.
 */
export function boxToImage(box: readonly number[], width: number, height: number, size: number): XYXY {
  const gain = Math.min(size / height, size / width);
  const padX = roundHalfEven((size - width * gain) / 2 - 0.1);
  const padY = roundHalfEven((size - height * gain) / 2 - 0.1);
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return [
    clip((box[0]! - padX) / gain, width),
    clip((box[1]! - padY) / gain, height),
    clip((box[2]! - padX) / gain, width),
    clip((box[3]! - padY) / gain, height),
  ];
}

/** The image's part of the prototype grid (rows top..bottom-1, columns left..right-1), as scale_masks crops it. */
export interface ProtoWindow {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function protoWindowOf(protoWidth: number, protoHeight: number, width: number, height: number): ProtoWindow {
  const gain = Math.min(protoHeight / height, protoWidth / width);
  const pw = (protoWidth - width * gain) / 2;
  const ph = (protoHeight - height * gain) / 2;
  return {
    top: roundHalfEven(ph - 0.1),
    left: roundHalfEven(pw - 0.1),
    bottom: protoHeight - roundHalfEven(ph + 0.1),
    right: protoWidth - roundHalfEven(pw + 0.1),
  };
}
