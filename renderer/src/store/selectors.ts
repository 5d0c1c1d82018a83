// Derived data read in more than one place.
import type { Annotation, Label } from '../../../common/contract/index.js';
import type { AppState } from './appStore.js';

/** Annotations not hidden one by one nor through their label, bottom to top. */
export function visibleAnnotations(s: Pick<AppState, 'annotations' | 'hiddenAnnotationIds' | 'hiddenLabelIds'>): Annotation[] {
  if (s.hiddenAnnotationIds.length === 0 && s.hiddenLabelIds.length === 0) return s.annotations;
  return s.annotations.filter(
    (a) => !s.hiddenAnnotationIds.includes(a.id) && !(a.labelId !== null && s.hiddenLabelIds.includes(a.labelId)),
  );
}

export const UNLABELED_COLOUR = '#9aa0a6';

export function labelColour(labels: readonly Label[], labelId: string | null): string {
  return labels.find((l) => l.id === labelId)?.colour ?? UNLABELED_COLOUR;
}
