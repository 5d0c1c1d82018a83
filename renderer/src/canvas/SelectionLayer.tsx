// Handles on the selection: a Transformer on selected boxes (select tool) and
// vertex dots on selected polygons (vertex tool). Only the Transformer listens.
import type Konva from 'konva';
import { useEffect, useRef } from 'react';
import { Circle, Layer, Transformer } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import type { Annotation } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { annotationNodeId } from './AnnotationShape.js';

/** Transformer changes the node's scale; turn that back into a box and commit it. */
function commitResizedBox(node: Konva.Node, annotation: Annotation): void {
  const box = { x: node.x(), y: node.y(), w: Math.abs(node.width() * node.scaleX()), h: Math.abs(node.height() * node.scaleY()) };
  node.scale({ x: 1, y: 1 });
  node.size({ width: box.w, height: box.h });
  void useAppStore
    .getState()
    .commit([{ type: 'annotation.put', annotation: { ...annotation, geometry: { kind: 'box', box }, updatedAt: Date.now() } }]);
}

export function SelectionLayer() {
  const { activeTool, annotations, selection, scale, previews } = useAppStore(
    useShallow((s) => ({
      activeTool: s.activeTool,
      annotations: s.annotations,
      selection: s.selection,
      scale: s.view.scale,
      previews: s.previews,
    })),
  );
  const transformerRef = useRef<Konva.Transformer>(null);
  const selected = annotations.filter((a) => selection.includes(a.id));
  const boxes = activeTool === 'select' && !previews ? selected.filter((a) => a.geometry.kind === 'box') : [];
  const boxKey = boxes.map((b) => `${b.id}:${b.updatedAt}`).join(',');

  useEffect(() => {
    const transformer = transformerRef.current;
    const stage = transformer?.getStage();
    if (!transformer || !stage) return;
    const nodes = boxes.flatMap((b) => stage.findOne(`#${annotationNodeId(b.id)}`) ?? []);
    transformer.nodes(nodes);
    transformer.getLayer()?.batchDraw();
    // boxKey captures everything about `boxes` that matters here.
  }, [boxKey]);

  const polygonVertices =
    activeTool === 'vertex'
      ? selected.flatMap((a) => {
          const preview = previews?.get(a.id);
          const geometry = preview?.kind === 'geometry' ? preview.geometry : a.geometry;
          return geometry.kind === 'polygon' ? geometry.polygons.flatMap((p) => [p.outer, ...p.holes]) : [];
        })
      : [];
  const radius = 4 / scale;

  return (
    <Layer>
      <Transformer
        ref={transformerRef}
        rotateEnabled={false}
        keepRatio={false}
        ignoreStroke
        flipEnabled={false}
        anchorSize={9}
        borderStroke="#4da3ff"
        anchorStroke="#4da3ff"
        onTransformEnd={(event) => {
          const node = event.target;
          const annotation = boxes.find((b) => annotationNodeId(b.id) === node.id());
          if (annotation) commitResizedBox(node, annotation);
        }}
      />
      {polygonVertices.map((ring, r) =>
        Array.from({ length: ring.length / 2 }, (_, v) => (
          <Circle
            key={`${r}-${v}`}
            x={ring[2 * v]}
            y={ring[2 * v + 1]}
            radius={radius}
            fill="#ffffff"
            stroke="#1f6feb"
            strokeWidth={1.5}
            strokeScaleEnabled={false}
            listening={false}
            perfectDrawEnabled={false}
          />
        )),
      )}
    </Layer>
  );
}
