// Which of the open image's annotations pass the review filter's annotation
// conditions, asked of the host (the same SQL predicate the image list uses,
// so the two lists never disagree); null when the filter has none. Asked
// again whenever the image's annotations or the filter change; until the
// answer comes, an annotation the last question did not know of (just drawn)
// counts as matching, so it never blinks out of the list.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { hasAnnotationConditions } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';

interface Answer {
  asked: ReadonlySet<string>;
  matching: ReadonlySet<string>;
}

export function useMatchingAnnotations(): ((annotationId: string) => boolean) | null {
  const { imageId, annotations, filter, showError } = useAppStore(
    useShallow((s) => ({ imageId: s.documentImageId, annotations: s.annotations, filter: s.reviewFilter, showError: s.showError })),
  );
  const [answer, setAnswer] = useState<Answer | null>(null);
  const active = imageId !== null && hasAnnotationConditions(filter);
  useEffect(() => {
    if (!active || imageId === null) return;
    let current = true;
    const asked = new Set(annotations.map((a) => a.id));
    api.call('annotations.matching', { imageId, filter }).then(
      (ids) => {
        if (current) setAnswer({ asked, matching: new Set(ids) });
      },
      (error: unknown) => {
        if (current) showError(error);
      },
    );
    return () => {
      current = false;
    };
  }, [active, imageId, annotations, filter, showError]);
  if (!active) return null;
  return (id) => !answer || !answer.asked.has(id) || answer.matching.has(id);
}
