// Everything: "segment everything" is running for the image on screen. Its
// proposals arrive as candidates in 'everything' mode; none found, cancelled
// or failed, the session is idle again with a word on why. Any prompt drops
// the run (its answer is then ignored) and starts prompting instead.
import type { CandidateSet } from '../../../../common/contract/index.js';
import { SessionState } from './sessionState.js';

export class Everything extends SessionState {
  readonly name = 'everything';

  override leaveProposals(): void {
    this.session.invalidate();
    this.session.toIdle();
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

  failed(error: unknown): void {
    if (!this.isCurrent()) return;
    this.session.toIdle();
    if (this.session.host.isCancelled(error)) this.session.host.info('Cancelled.');
    else this.session.host.error(error);
  }
}
