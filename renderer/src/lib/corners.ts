// A box as its two corners, the contract's box form, and how a drag becomes
// one. Pure, at the bottom of the renderer: the AI prompt tool, the AI
// session and the reference-region dialog all draw boxes this way.

/** x0, y0, x1, y1 in image pixels (the contract's box form). */
export type Corners = [number, number, number, number];

/** Normalised corners of a drag, clamped to the image. */
export function cornersOf(ax: number, ay: number, bx: number, by: number, width: number, height: number): Corners {
  const clampX = (v: number) => Math.max(0, Math.min(width, v));
  const clampY = (v: number) => Math.max(0, Math.min(height, v));
  return [clampX(Math.min(ax, bx)), clampY(Math.min(ay, by)), clampX(Math.max(ax, bx)), clampY(Math.max(ay, by))];
}
