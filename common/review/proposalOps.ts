// The document ops of a review, built the same way by the renderer (one
// proposal, one image) and the host (accept all above a score in the folder):
// accepting turns a proposal into an annotation that keeps its model, job and
// score; rejecting removes it. Both are one undoable batch.
import type { Annotation, DocOp, ImageStatus, Proposal } from '../contract/index.js';

/** The annotation an accepted proposal becomes (`labelId` overrides the proposed label). */
export function acceptedAnnotation(
  proposal: Proposal,
  annotationId: string,
  now: number,
  labelId: string | null = proposal.labelId,
): Annotation {
  return {
    id: annotationId,
    imageId: proposal.imageId,
    labelId,
    geometry: proposal.geometry,
    score: proposal.score,
    source: proposal.source,
    createdAt: now,
    updatedAt: now,
    revision: 0,
    jobId: proposal.jobId,
  };
}

export function acceptOps(proposal: Proposal, annotationId: string, now: number, labelId?: string | null): DocOp[] {
  return [
    { type: 'proposal.delete', id: proposal.id },
    { type: 'annotation.put', annotation: acceptedAnnotation(proposal, annotationId, now, labelId) },
  ];
}

export function rejectOps(proposal: Pick<Proposal, 'id'>): DocOp[] {
  return [{ type: 'proposal.delete', id: proposal.id }];
}

/** Reviewing an image that was still to do starts it (status means review state). */
export function startedStatusOps(images: ReadonlyArray<{ imageId: number; status: ImageStatus }>): DocOp[] {
  return images.filter((i) => i.status === 'todo').map((i) => ({ type: 'image.status', imageId: i.imageId, status: 'in_progress' }));
}
