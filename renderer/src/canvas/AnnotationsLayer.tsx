import { useMemo } from 'react';
import { Layer } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/appStore.js';
import { labelColour, visibleAnnotations } from '../store/selectors.js';
import { AnnotationShape } from './AnnotationShape.js';

export function AnnotationsLayer() {
  const { annotations, hiddenAnnotationIds, hiddenLabelIds, labels, selection, previews, maskOpacity } = useAppStore(
    useShallow((s) => ({
      annotations: s.annotations,
      hiddenAnnotationIds: s.hiddenAnnotationIds,
      hiddenLabelIds: s.hiddenLabelIds,
      labels: s.labels,
      selection: s.selection,
      previews: s.previews,
      maskOpacity: s.maskOpacity,
    })),
  );
  const visible = useMemo(
    () => visibleAnnotations({ annotations, hiddenAnnotationIds, hiddenLabelIds }),
    [annotations, hiddenAnnotationIds, hiddenLabelIds],
  );
  return (
    <Layer listening={false}>
      {visible.map((annotation) => (
        <AnnotationShape
          key={annotation.id}
          annotation={annotation}
          colour={labelColour(labels, annotation.labelId)}
          selected={selection.includes(annotation.id)}
          preview={previews?.get(annotation.id)}
          maskOpacity={maskOpacity}
        />
      ))}
    </Layer>
  );
}
