// Detecting: a detector (ai.detect) is running on the image on screen,
// optionally chained to a SAM-family model that turns its boxes into masks.
// Its detections arrive as candidates in 'detections' mode (the path segment
// everything's proposals take: accept one by one or all, click one to accept
// it); none found, cancelled or failed, the session is idle again with a
// word on why. Any prompt drops the run, as it drops segment everything.
import type { DetectionSet } from '../../../../common/contract/index.js';
import { detectionCandidates, isDetector } from '../detections.js';
import type { AiSession } from './aiSession.js';
import { WholeImageRun } from './wholeImageRun.js';

export class Detecting extends WholeImageRun {
  readonly name = 'detecting';

  /** Any state → detecting → candidates or idle, when the current model is a detector. */
  static async run(session: AiSession, chainModelId: string | null): Promise<void> {
    const { host } = session;
    const imageId = host.imageId();
    if (imageId === null) return;
    const model = host.model();
    if (model && !isDetector(model)) {
      host.info(`${model.displayName} is not a detector; choose a detector (e.g. a YOLO model) to detect objects.`);
      return;
    }
    const running = session.act(() => {
      session.discard();
      return session.toDetecting();
    });
    const modelId = host.modelId();
    try {
      const found = await host.detect({ imageId, ...(modelId ? { modelId } : {}), ...(chainModelId ? { chainModelId } : {}) });
      session.act(() => running.answered(found));
    } catch (error) {
      session.act(() => running.failed(error));
    }
  }

  answered(found: DetectionSet): void {
    if (!this.isCurrent()) return;
    if (found.detections.length === 0) {
      this.session.toIdle();
      this.session.host.info(`No objects found above the score threshold (${found.thresholds.conf}).`);
      return;
    }
    this.session.showCandidates(detectionCandidates(found), 'detections', 0, [], found);
    this.session.settle();
  }
}
