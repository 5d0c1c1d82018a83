// Status means review state: an image leaves "To do" when the user first
// edits or reviews it, not when it is opened. The first change to the open
// image's annotations, captions or proposals carries the image.status op in
// the same batch, so undoing that change brings "To do" back with it.
import type { Annotation, Caption, DocOp, ImageRecord } from '../../../common/contract/index.js';
import { startedStatusOps } from '../../../common/review/proposalOps.js';

export interface OpenDocument {
  currentImage: Pick<ImageRecord, 'id' | 'status'> | null;
  annotations: readonly Pick<Annotation, 'id'>[];
  captions: readonly Pick<Caption, 'id'>[];
}

/** Whether the op changes what is on the open image (its annotations, captions or proposals). */
function touchesImage(op: DocOp, imageId: number, doc: OpenDocument): boolean {
  switch (op.type) {
    case 'annotation.put':
      return op.annotation.imageId === imageId;
    case 'annotation.delete':
      return doc.annotations.some((a) => a.id === op.id);
    case 'caption.put':
      return op.caption.imageId === imageId;
    case 'caption.delete':
      return doc.captions.some((c) => c.id === op.id);
    case 'proposal.put':
      return op.proposal.imageId === imageId;
    // A proposal being reviewed is always one of the open image's.
    case 'proposal.delete':
      return true;
    default:
      return false;
  }
}

/** The ops, with the open image's start (To do → In progress) added when they are its first edit. */
export function withStartedStatus(ops: DocOp[], doc: OpenDocument): DocOp[] {
  const image = doc.currentImage;
  if (!image || image.status !== 'todo') return ops;
  if (ops.some((op) => op.type === 'image.status' && op.imageId === image.id)) return ops;
  if (!ops.some((op) => touchesImage(op, image.id, doc))) return ops;
  return [...ops, ...startedStatusOps([{ imageId: image.id, status: image.status }])];
}
