import { useMemo } from 'react';
import { Layer } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';
import { labelColour, visibleAnnotations } from '../store/selectors.js';
import { AnnotationShape } from './AnnotationShape.js';
import { BatchedVectors } from './BatchedVectors.js';
import { buildBatches } from './vectorBatch.js';

// Masks first (they are mostly regions), then the batched outlines of every
// unselected box and polygon, then selected or edited ones on top, each as
// its own node so the transformer and live previews can address it.
export function AnnotationsLayer() {
  const { annotations, hiddenAnnotationIds, hiddenLabelIds, labels, selection, previews, maskOpacity, committedScale } = useAppStore(
    useShallow((s) => ({
      annotations: s.annotations,
      hiddenAnnotationIds: s.hiddenAnnotationIds,
      hiddenLabelIds: s.hiddenLabelIds,
      labels: s.labels,
      selection: s.selection,
      previews: s.previews,
      maskOpacity: s.maskOpacity,
      committedScale: s.view.scale,
    })),
  );
  const visible = useMemo(
    () => visibleAnnotations({ annotations, hiddenAnnotationIds, hiddenLabelIds }),
    [annotations, hiddenAnnotationIds, hiddenLabelIds],
  );
  // Keyed on which annotations are previewed, not on the preview itself, so a
  // drag does not rebuild the batches on every pointer move.
  const previewedIds = previews ? [...previews.keys()].join('\n') : '';
  const isSingle = (id: string) => selection.includes(id) || previews?.has(id) === true;
  const masks = visible.filter((a) => a.geometry.kind === 'mask');
  const singles = visible.filter((a) => a.geometry.kind !== 'mask' && isSingle(a.id));
  const batches = useMemo(() => {
    const previewed = new Set(previewedIds.split('\n'));
    return buildBatches(
      visible.filter((a) => a.geometry.kind !== 'mask' && !selection.includes(a.id) && !previewed.has(a.id)),
      (a) => labelColour(labels, a.labelId),
    );
  }, [visible, selection, previewedIds, labels]);
  const single = (annotation: (typeof visible)[number]) => (
    <AnnotationShape
      key={annotation.id}
      annotation={annotation}
      colour={labelColour(labels, annotation.labelId)}
      selected={selection.includes(annotation.id)}
      preview={previews?.get(annotation.id)}
      maskOpacity={maskOpacity}
    />
  );
  return (
    <Layer listening={false}>
      {masks.map(single)}
      <BatchedVectors batches={batches} committedScale={committedScale} />
      {singles.map(single)}
    </Layer>
  );
}
