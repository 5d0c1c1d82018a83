// Events pushed from main to the renderer (no reply expected).
import type { EngineStatus, FeatureState } from './ai.js';
import type { AutolabelJob } from './autolabel.js';
import type { Annotation, Caption, DocOp, ImageStatus, Label } from './domain.js';

/** One annotation a committed batch wrote or deleted. Revision 0 means "did not exist" / "deleted". */
export interface AnnotationRevision {
  id: string;
  /** The image it is on after the batch (before it, for a deletion). */
  imageId: number;
  /** Its stored revision before the batch; 0 when the batch created it. */
  previous: number;
  /** Its stored revision after the batch (the batch's revision); 0 when the batch deleted it. */
  revision: number;
}

/** An image whose annotations or status a batch changed, as it is afterwards (for image lists). */
export interface ImageChange {
  imageId: number;
  status: ImageStatus;
  annotationCount: number;
  /** Auto-label proposals waiting for review on it. */
  proposalCount: number;
}

/**
 * What one committed `document.apply` changed, as stored afterwards: enough
 * for any client of the project to bring its copy up to date without a reload.
 */
export interface DocumentChange {
  /** The project-wide revision this batch committed as; every annotation it wrote now has it. */
  revision: number;
  /** The `origin` the requesting client sent (its own copy is already current), or null. */
  origin: string | null;
  /** The stored state of every annotation an `annotation.put` of the batch wrote. */
  annotations: Annotation[];
  /**
   * Every annotation the batch wrote or deleted, including those a
   * `label.delete` unlabeled (listed here only, not in `annotations`).
   */
  revisions: AnnotationRevision[];
  captions: Caption[];
  deletedCaptionIds: string[];
  labels: Label[];
  /** Annotations that used one of these labels are now unlabeled. */
  deletedLabelIds: string[];
  images: ImageChange[];
  /** Images whose proposals the batch accepted, rejected or restored (reload their proposals). */
  proposalImageIds: number[];
}

/** `document.apply`'s answer: the ops that undo the batch, and the revisions it wrote. */
export interface DocumentApplied {
  inverse: DocOp[];
  revision: number;
  revisions: AnnotationRevision[];
}

export interface EventMap {
  /**
   * Long work (import, export, scans, downloads): `done` of `total`, total 0
   * when unknown. Downloads add their rate and time left (null until
   * measured) and a line such as "file 1 of 2, resumed at 12.0 MB".
   */
  progress: {
    taskId: string;
    title: string;
    done: number;
    total: number;
    finished: boolean;
    bytesPerSecond?: number | null;
    etaSeconds?: number | null;
    detail?: string;
  };
  /** The open project changed outside the renderer's own requests (e.g. a CLI import). */
  'project.changed': { reason: string };
  /** A `document.apply` was committed (by any client of the project). */
  'document.changed': DocumentChange;
  /** The inference engine's state changed (worker, provider, model, cache, encoding). */
  'ai.status': EngineStatus;
  /** An image's features for the current model changed state (list marks, "encoding…"). */
  'ai.features': { imageId: number; modelId: string; state: FeatureState; message: string | null };
  /** An auto-label job's state or counts changed; `image`: the image it just did, with its proposals waiting now. */
  'autolabel.job': { job: AutolabelJob; image: { imageId: number; proposalCount: number } | null };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = [
  'progress',
  'project.changed',
  'document.changed',
  'ai.status',
  'ai.features',
  'autolabel.job',
];
