// Everything: "segment everything" is running for the image on screen. Its
// proposals arrive as candidates in 'everything' mode; none found, cancelled
// or failed, the session is idle again with a word on why. Any prompt drops
// the run (its answer is then ignored) and starts prompting instead.
import type { CandidateSet } from '../../../../common/contract/index.js';
import type { AiSession } from './aiSession.js';
import { WholeImageRun } from './wholeImageRun.js';

export class Everything extends WholeImageRun {
  readonly name = 'everything';

  /** Any state → everything → candidates or idle, for the image on screen (if the model proposes without prompts). */
  static async run(session: AiSession): Promise<void> {
    const { host } = session;
    const imageId = host.imageId();
    if (imageId === null || !session.allowed('everything')) return;
    const running = session.act(() => {
      session.discard();
      return session.toEverything();
    });
    const modelId = host.modelId();
    try {
      const proposals = await host.everything({ imageId, ...(modelId ? { modelId } : {}) });
      session.act(() => running.answered(proposals));
    } catch (error) {
      session.act(() => running.failed(error));
    }
  }

  answered(proposals: CandidateSet): void {
    if (!this.isCurrent()) return;
    if (proposals.candidates.length === 0) {
      this.session.toIdle();
      this.session.host.info('No objects found in this image.');
      return;
    }
    this.session.showCandidates(proposals, 'everything', 0);
    this.session.settle();
  }
}
