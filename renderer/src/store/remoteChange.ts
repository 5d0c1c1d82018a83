// Applies a change another client committed ('document.changed') to the
// renderer's copy: labels, and the annotations and captions of the image on
// screen. Main sends the stored state, so it replaces what is shown, except
// where this copy already holds something newer.
import type { Annotation, Caption, DocumentChange, ImageRecord } from '../../../common/contract/index.js';
import type { LocalDocument } from './docReducer.js';

function upsert<T extends { id: string }>(items: T[], item: T): T[] {
  const index = items.findIndex((i) => i.id === item.id);
  if (index === -1) return [...items, item];
  const next = items.slice();
  next[index] = item;
  return next;
}

export function applyRemoteChange(document: LocalDocument, change: DocumentChange): LocalDocument {
  const deletedLabels = new Set(change.deletedLabelIds);
  let labels = document.labels.filter((l) => !deletedLabels.has(l.id));
  for (const label of change.labels) labels = upsert(labels, label);

  const written = new Map(change.annotations.map((a) => [a.id, a]));
  const refs = new Map(change.revisions.map((r) => [r.id, r]));
  const unlabel = (a: Annotation): Annotation => (a.labelId !== null && deletedLabels.has(a.labelId) ? { ...a, labelId: null } : a);
  const annotations = document.annotations.flatMap((a): Annotation[] => {
    const ref = refs.get(a.id);
    if (!ref) return [unlabel(a)];
    if (ref.revision === 0) return [];
    if (a.revision > ref.revision) return [a]; // already newer here
    const stored = written.get(a.id);
    if (stored) return stored.imageId === document.imageId ? [stored] : [];
    // Unlabeled by a label.delete: only the label and the revision changed.
    return [{ ...unlabel(a), revision: ref.revision }];
  });
  const present = new Set(annotations.map((a) => a.id));
  for (const a of change.annotations) if (a.imageId === document.imageId && !present.has(a.id)) annotations.push(a);

  const deletedCaptions = new Set(change.deletedCaptionIds);
  let captions: Caption[] = document.captions.filter((c) => !deletedCaptions.has(c.id));
  for (const caption of change.captions) {
    captions = caption.imageId === document.imageId ? upsert(captions, caption) : captions.filter((c) => c.id !== caption.id);
  }
  return { imageId: document.imageId, labels, annotations, captions };
}

/** An image record with the status and annotation count the change reports for it, or the record itself when unchanged. */
export function patchImageRecord(image: ImageRecord, change: DocumentChange): ImageRecord {
  const now = change.images.find((i) => i.imageId === image.id);
  if (!now || (now.status === image.status && now.annotationCount === image.annotationCount && now.proposalCount === image.proposalCount))
    return image;
  return { ...image, status: now.status, annotationCount: now.annotationCount, proposalCount: now.proposalCount };
}
