// The centre canvas: one Konva stage with separate image, annotation,
// selection and overlay layers, all in image coordinates.
import type Konva from 'konva';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Image as KonvaImage, Layer, Stage } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';
import { AnnotationsLayer } from './AnnotationsLayer.js';
import { CaptionProposalLayer } from './CaptionProposalLayer.js';
import { OverlayLayer } from './OverlayLayer.js';
import { ProposalLayer } from './ProposalLayer.js';
import { SelectionLayer } from './SelectionLayer.js';
import { TraceLayer } from './TraceLayer.js';
import { useCanvasInput } from './useCanvasInput.js';
import { useImageBitmap } from './useImageBitmap.js';

export function CanvasView() {
  const containerRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const { imageId, view, viewport, activeTool } = useAppStore(
    useShallow((s) => ({ imageId: s.currentImage?.id ?? null, view: s.view, viewport: s.viewport, activeTool: s.activeTool })),
  );
  const showToast = useAppStore((s) => s.showToast);
  const onImageError = useCallback((message: string) => showToast('error', message), [showToast]);
  const bitmap = useImageBitmap(imageId, onImageError);
  const [readyImageId, setReadyImageId] = useState<number | null>(null);

  useCanvasInput(containerRef, stageRef);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry)
        useAppStore.getState().setViewport({ width: Math.floor(entry.contentRect.width), height: Math.floor(entry.contentRect.height) });
    });
    observer.observe(container);
    return () => observer.disconnect();
  }, []);

  // A new image starts fitted to the window.
  useEffect(() => {
    if (!bitmap || imageId === null) return;
    useAppStore.getState().fitImage({ width: bitmap.naturalWidth, height: bitmap.naturalHeight });
    setReadyImageId(imageId);
  }, [bitmap, imageId]);

  const ready = bitmap !== null && readyImageId === imageId;
  return (
    <div
      ref={containerRef}
      className={`canvas tool-${activeTool}`}
      tabIndex={-1}
      data-testid="canvas"
      data-scale={view.scale}
      data-offset-x={view.offsetX}
      data-offset-y={view.offsetY}
      data-image-id={imageId ?? ''}
      data-ready={ready ? '1' : '0'}
    >
      {imageId === null && <div className="canvas-empty">No image open</div>}
      <Stage
        ref={stageRef}
        width={viewport.width}
        height={viewport.height}
        scaleX={view.scale}
        scaleY={view.scale}
        x={view.offsetX}
        y={view.offsetY}
      >
        <Layer listening={false}>{bitmap && <KonvaImage image={bitmap} listening={false} perfectDrawEnabled={false} />}</Layer>
        <AnnotationsLayer />
        <ProposalLayer />
        <SelectionLayer />
        <TraceLayer />
        <CaptionProposalLayer />
        <OverlayLayer />
      </Stage>
    </div>
  );
}
