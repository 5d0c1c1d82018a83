// What the two runs over the whole image on screen (segment everything, a
// detector) share: leaving their proposals drops the run and its answer, and
// a failure or cancellation ends in idle with a word on why.
import { SessionState } from './sessionState.js';

export abstract class WholeImageRun extends SessionState {
  override leaveProposals(): void {
    this.session.invalidate();
    this.session.toIdle();
  }

  failed(error: unknown): void {
    if (!this.isCurrent()) return;
    this.session.toIdle();
    if (this.session.host.isCancelled(error)) this.session.host.info('Cancelled.');
    else this.session.host.error(error);
  }
}
