// Every unselected box and polygon in one Konva shape. Styles are set once
// per colour and each item is its own small path (one huge path rasterises
// far slower than many small ones). While the committed zoom stays the same,
// the drawing is kept as one bitmap, so panning blits instead of
// re-rasterising thousands of polygons; during a wheel zoom that bitmap is
// stretched until the zoom settles. Zoomed in so far that the bitmap would be
// huge, it draws directly, culled to the visible part.
import type Konva from 'konva';
import { memo, useMemo } from 'react';
import { Shape } from 'react-konva';

import { FILL_ALPHA } from './AnnotationShape.js';
import { intersects, traceItem, type VectorBatch, type ViewRect } from './vectorBatch.js';

/** Largest bitmap kept (device pixels): 12 M px ≈ 48 MB. */
const MAX_CACHE_PIXELS = 12_000_000;
const EVERYTHING: ViewRect = { minX: -Infinity, minY: -Infinity, maxX: Infinity, maxY: Infinity };

interface Bitmap {
  canvas: HTMLCanvasElement;
  /** Image-pixel rectangle the bitmap covers. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The part of the image the stage shows, in image pixels, with a margin for strokes. */
function stageViewRect(shape: Konva.Shape): ViewRect {
  const stage = shape.getStage();
  if (!stage) return EVERYTHING;
  const scale = stage.scaleX() || 1;
  const margin = 4 / scale;
  const minX = -stage.x() / scale - margin;
  const minY = -stage.y() / scale - margin;
  return { minX, minY, maxX: minX + stage.width() / scale + 2 * margin, maxY: minY + stage.height() / scale + 2 * margin };
}

function drawBatches(ctx: CanvasRenderingContext2D, batches: readonly VectorBatch[], scale: number, view: ViewRect): void {
  ctx.lineWidth = 1.5 / scale; // 1.5 screen pixels at any zoom
  ctx.lineJoin = 'round';
  for (const batch of batches) {
    ctx.fillStyle = batch.colour + FILL_ALPHA;
    ctx.strokeStyle = batch.colour;
    for (const item of batch.items) {
      if (!intersects(item, view)) continue;
      ctx.beginPath();
      traceItem(ctx, item);
      ctx.fill('nonzero');
      ctx.stroke();
    }
  }
}

function renderBitmap(batches: readonly VectorBatch[], scale: number, pixelRatio: number): Bitmap | null {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const batch of batches) {
    for (const item of batch.items) {
      minX = Math.min(minX, item.minX);
      minY = Math.min(minY, item.minY);
      maxX = Math.max(maxX, item.maxX);
      maxY = Math.max(maxY, item.maxY);
    }
  }
  if (minX === Infinity) return null;
  const pad = 4 / scale; // room for the strokes
  const x = minX - pad,
    y = minY - pad,
    w = maxX - minX + 2 * pad,
    h = maxY - minY + 2 * pad;
  const px = scale * pixelRatio;
  const width = Math.ceil(w * px),
    height = Math.ceil(h * px);
  if (width * height > MAX_CACHE_PIXELS || width === 0 || height === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(px, 0, 0, px, -x * px, -y * px);
  drawBatches(ctx, batches, scale, EVERYTHING);
  return { canvas, x, y, w: width / px, h: height / px };
}

function BatchedVectorsImpl({ batches, committedScale }: { batches: readonly VectorBatch[]; committedScale: number }) {
  const bitmap = useMemo(() => renderBitmap(batches, committedScale, window.devicePixelRatio || 1), [batches, committedScale]);
  if (batches.length === 0) return null;
  return (
    <Shape
      listening={false}
      perfectDrawEnabled={false}
      sceneFunc={(context, shape) => {
        const native = context._context;
        if (bitmap) native.drawImage(bitmap.canvas, bitmap.x, bitmap.y, bitmap.w, bitmap.h);
        else drawBatches(native, batches, shape.getStage()?.scaleX() || 1, stageViewRect(shape));
      }}
    />
  );
}

export const BatchedVectors = memo(BatchedVectorsImpl);
