// One annotation drawn in image coordinates. Nothing here listens to events:
// tools do their own hit testing, which keeps the hit graph empty and cheap.
import type Konva from 'konva';
import { memo } from 'react';
import { Group, Image as KonvaImage, Rect, Shape } from 'react-konva';

import type { Annotation, Polygon } from '../../../common/contract/index.js';
import { maskBitmapFor } from '../masks/maskBitmap.js';
import { decodeMaskCached } from '../masks/maskCodec.js';
import { translateVector } from '../tools/geometryEdits.js';
import type { LivePreview } from '../tools/toolTypes.js';

export const annotationNodeId = (annotationId: string): string => `annotation-${annotationId}`;

interface Props {
  annotation: Annotation;
  colour: string;
  selected: boolean;
  preview: LivePreview | undefined;
  maskOpacity: number;
}

/** ~20% fill under box and polygon outlines. */
export const FILL_ALPHA = '33';

function tracePolygons(context: Konva.Context, polygons: readonly Polygon[]): void {
  context.beginPath();
  for (const polygon of polygons) {
    for (const ring of [polygon.outer, ...polygon.holes]) {
      context.moveTo(ring[0]!, ring[1]!);
      for (let i = 2; i < ring.length; i += 2) context.lineTo(ring[i]!, ring[i + 1]!);
      context.closePath();
    }
  }
}

function AnnotationShapeImpl({ annotation, colour, selected, preview, maskOpacity }: Props) {
  const geometry = preview?.kind === 'geometry' ? preview.geometry : annotation.geometry;
  const shift = preview?.kind === 'translate' ? preview : { dx: 0, dy: 0 };
  const stroke = { stroke: colour, strokeWidth: selected ? 3 : 1.5, strokeScaleEnabled: false, dash: selected ? [6, 3] : undefined };
  const common = { listening: false, perfectDrawEnabled: false };

  if (geometry.kind === 'mask') {
    // Mask edits are committed, never previewed as geometry, so the stored pixels are the ones to show.
    const bitmap = maskBitmapFor(`${annotation.id}:${annotation.updatedAt}`, () => decodeMaskCached(annotation), colour);
    if (!bitmap) return null;
    return (
      <Group x={shift.dx} y={shift.dy} {...common}>
        <KonvaImage image={bitmap.canvas} x={bitmap.x} y={bitmap.y} opacity={maskOpacity} {...common} />
        {selected && <Rect x={bitmap.x} y={bitmap.y} width={bitmap.canvas.width} height={bitmap.canvas.height} {...stroke} {...common} />}
      </Group>
    );
  }
  const shown = shift.dx || shift.dy ? translateVector(geometry, shift.dx, shift.dy) : geometry;
  if (shown.kind === 'box') {
    const { x, y, w, h } = shown.box;
    return (
      <Rect id={annotationNodeId(annotation.id)} x={x} y={y} width={w} height={h} fill={colour + FILL_ALPHA} {...stroke} {...common} />
    );
  }
  if (shown.kind !== 'polygon') return null;
  return (
    <Shape
      fill={colour + FILL_ALPHA}
      fillRule="evenodd"
      {...stroke}
      {...common}
      sceneFunc={(context, shape) => {
        tracePolygons(context, shown.polygons);
        context.fillStrokeShape(shape);
      }}
    />
  );
}

export const AnnotationShape = memo(AnnotationShapeImpl);
