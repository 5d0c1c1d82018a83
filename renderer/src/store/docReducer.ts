// Applies document ops to the renderer's local copy (optimistic update): the
// labels, the current image's annotations and captions, and image statuses.
// Ops for other images only matter to main, so they are ignored here, and so
// are proposals (the review queue applies those itself).
import type { Annotation, Caption, DocOp, ImageStatus, Label } from '../../../common/contract/index.js';

export interface LocalDocument {
  imageId: number | null;
  labels: Label[];
  annotations: Annotation[];
  captions: Caption[];
}

export interface DocChanges {
  document: LocalDocument;
  statuses: Map<number, ImageStatus>;
}

function upsert<T extends { id: string }>(items: T[], item: T): T[] {
  const index = items.findIndex((i) => i.id === item.id);
  if (index === -1) return [...items, item];
  const next = items.slice();
  next[index] = item;
  return next;
}

export function applyOpsLocally(document: LocalDocument, ops: readonly DocOp[]): DocChanges {
  let { labels, annotations, captions } = document;
  const statuses = new Map<number, ImageStatus>();
  for (const op of ops) {
    switch (op.type) {
      case 'annotation.put':
        if (op.annotation.imageId === document.imageId) annotations = upsert(annotations, op.annotation);
        break;
      case 'annotation.delete':
        annotations = annotations.filter((a) => a.id !== op.id);
        break;
      case 'label.put':
        labels = upsert(labels, op.label);
        break;
      case 'label.delete':
        labels = labels.filter((l) => l.id !== op.id);
        annotations = annotations.map((a) => (a.labelId === op.id ? { ...a, labelId: null } : a));
        break;
      case 'image.status':
        statuses.set(op.imageId, op.status);
        break;
      case 'caption.put':
        if (op.caption.imageId === document.imageId) captions = upsert(captions, op.caption);
        break;
      case 'caption.delete':
        captions = captions.filter((c) => c.id !== op.id);
        break;
      case 'proposal.put':
      case 'proposal.delete':
        break; // the review queue keeps its own copy (proposalsSlice)
    }
  }
  return { document: { imageId: document.imageId, labels, annotations, captions }, statuses };
}
