// What one write batch changed, collected while DocumentWriter applies it, so
// the caller can tell every client of the project (the 'document.changed'
// event) and answer the requester with the revisions it wrote.
import type { Annotation, AnnotationRevision, Caption, DocumentChange, ImageChange, Label } from '../../common/contract/index.js';

export type BatchChange = Omit<DocumentChange, 'origin'>;

export class ChangeLog {
  /** By annotation id: its revision before the batch (first touch) and after (latest write). */
  private readonly touched = new Map<string, AnnotationRevision>();
  private readonly written = new Map<string, Annotation>();
  private readonly labels = new Map<string, Label>();
  private readonly deletedLabelIds = new Set<string>();
  private readonly captions = new Map<string, Caption>();
  private readonly deletedCaptionIds = new Set<string>();
  /** Images whose annotation count or status may have changed. */
  private readonly imageIds = new Set<number>();
  private readonly proposalImageIds = new Set<number>();

  constructor(readonly revision: number) {}

  /** True once an earlier op of this batch wrote or deleted the annotation. */
  has(annotationId: string): boolean {
    return this.touched.has(annotationId);
  }

  annotationWritten(annotation: Annotation, old: { imageId: number; revision: number } | null): void {
    this.touch(annotation.id, annotation.imageId, old?.revision ?? 0, this.revision);
    this.written.set(annotation.id, annotation);
    this.imageIds.add(annotation.imageId);
    if (old) this.imageIds.add(old.imageId);
  }

  annotationDeleted(id: string, imageId: number, storedRevision: number): void {
    this.touch(id, imageId, storedRevision, 0);
    this.written.delete(id);
    this.imageIds.add(imageId);
  }

  /** A label.delete unlabeled these stored annotations. */
  annotationsUnlabeled(rows: readonly { id: string; imageId: number; revision: number }[]): void {
    for (const row of rows) {
      this.touch(row.id, row.imageId, row.revision, this.revision);
      const annotation = this.written.get(row.id);
      if (annotation) this.written.set(row.id, { ...annotation, labelId: null });
    }
  }

  labelPut(label: Label): void {
    this.labels.set(label.id, label);
  }

  labelDeleted(id: string): void {
    this.labels.delete(id);
    this.deletedLabelIds.add(id);
  }

  statusSet(imageId: number): void {
    this.imageIds.add(imageId);
  }

  /** A proposal on the image was added, restored or removed (a review). */
  proposalsChanged(imageId: number): void {
    this.imageIds.add(imageId);
    this.proposalImageIds.add(imageId);
  }

  captionPut(caption: Caption): void {
    this.captions.set(caption.id, caption);
    this.deletedCaptionIds.delete(caption.id);
  }

  captionDeleted(id: string): void {
    this.captions.delete(id);
    this.deletedCaptionIds.add(id);
  }

  /** The change as stored; `image` reads an image's status and annotation count after the batch. */
  finish(image: (imageId: number) => Omit<ImageChange, 'imageId'> | undefined): BatchChange {
    const images: ImageChange[] = [];
    for (const imageId of this.imageIds) {
      const now = image(imageId);
      if (now) images.push({ imageId, ...now });
    }
    return {
      revision: this.revision,
      annotations: [...this.written.values()],
      revisions: [...this.touched.values()],
      captions: [...this.captions.values()],
      deletedCaptionIds: [...this.deletedCaptionIds],
      labels: [...this.labels.values()],
      deletedLabelIds: [...this.deletedLabelIds],
      images,
      proposalImageIds: [...this.proposalImageIds],
    };
  }

  private touch(id: string, imageId: number, storedRevision: number, revision: number): void {
    const first = this.touched.get(id);
    this.touched.set(id, { id, imageId, previous: first ? first.previous : storedRevision, revision });
  }
}
