// Prompting: a prompt request is in flight. Latest wins: prompts added
// meanwhile only mark the runner dirty, and ONE request for the prompts as
// they are then follows the answer. The previous answer stays on screen until
// the next one replaces it. Accept waits for the answer and takes what it shows.
import { SessionState } from './sessionState.js';

export class Prompting extends SessionState {
  readonly name = 'prompting';

  override requestStarted(): void {}

  override requestSettled(): void {
    this.session.settle();
  }

  /** Accept what every prompt asked for, not an answer still being replaced. */
  override async accept(position?: number): Promise<void> {
    await this.session.runner.whenIdle();
    await this.session.accept(position);
  }

  override async acceptAll(): Promise<void> {
    await this.session.runner.whenIdle();
    await this.session.acceptAll();
  }
}
