// Screen <-> image mapping of the canvas. Image pixel (ix, iy) is drawn at
// container-relative screen point (offsetX + ix * scale, offsetY + iy * scale).
export interface ViewTransform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 64;
const FIT_MARGIN = 16;

export const IDENTITY_VIEW: ViewTransform = { scale: 1, offsetX: 0, offsetY: 0 };

export const clampScale = (scale: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

export function screenToImage(view: ViewTransform, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - view.offsetX) / view.scale, y: (sy - view.offsetY) / view.scale };
}

export function imageToScreen(view: ViewTransform, ix: number, iy: number): { x: number; y: number } {
  return { x: view.offsetX + ix * view.scale, y: view.offsetY + iy * view.scale };
}

/** Scales by `factor` keeping the image point under (sx, sy) where it is. */
export function zoomAround(view: ViewTransform, factor: number, sx: number, sy: number): ViewTransform {
  const scale = clampScale(view.scale * factor);
  const anchor = screenToImage(view, sx, sy);
  return { scale, offsetX: sx - anchor.x * scale, offsetY: sy - anchor.y * scale };
}

/** Wheel delta (pixels) to a zoom factor; smooth for trackpads, ~10% per mouse notch. */
export const wheelZoomFactor = (deltaY: number): number => Math.exp(-Math.max(-300, Math.min(300, deltaY)) * 0.001);

/** Whole image visible and centred in the viewport. */
export function fitView(image: Size, viewport: Size): ViewTransform {
  const availableW = Math.max(1, viewport.width - 2 * FIT_MARGIN);
  const availableH = Math.max(1, viewport.height - 2 * FIT_MARGIN);
  const scale = clampScale(Math.min(availableW / image.width, availableH / image.height));
  return centred(image, viewport, scale);
}

/** One image pixel per screen pixel, centred. */
export const actualSizeView = (image: Size, viewport: Size): ViewTransform => centred(image, viewport, 1);

function centred(image: Size, viewport: Size, scale: number): ViewTransform {
  return {
    scale,
    offsetX: Math.round((viewport.width - image.width * scale) / 2),
    offsetY: Math.round((viewport.height - image.height * scale) / 2),
  };
}

export const panBy = (view: ViewTransform, dx: number, dy: number): ViewTransform => ({
  scale: view.scale,
  offsetX: view.offsetX + dx,
  offsetY: view.offsetY + dy,
});
