// What every state of the AI session does unless it says otherwise (tldraw's
// StateNode: each state is a small class in a file of its own, overriding only
// the events it treats differently). States change the session's shared data
// and move it on through its transitions; they never reach the UI.
import type { ClickPromptInput } from '../../../../common/contract/index.js';
import type { AiSession } from './aiSession.js';
import { isProposalMode, type SessionStateName } from './sessionTypes.js';

export abstract class SessionState {
  abstract readonly name: SessionStateName;

  constructor(protected readonly session: AiSession) {}

  /** Whether the session is still in this state (an answer for a state left since is dropped). */
  protected isCurrent(): boolean {
    return this.session.state === this;
  }

  /** A click on the image: a point prompt (a fill seed with the wand on). */
  click(click: ClickPromptInput): void {
    this.session.addClickPrompt(click);
  }

  /** Before the prompts change: proposals on screen give way to prompting. */
  leaveProposals(): void {
    if (isProposalMode(this.session.ctx.shown?.mode)) this.session.dropShown();
  }

  /** The latest-wins runner sent a prompt request. */
  requestStarted(): void {
    this.session.toPrompting();
  }

  /** The runner has nothing in flight any more (answered, failed or reset). */
  requestSettled(): void {}

  /** Accepts the shown candidate (or the one at `position`); nothing to accept here. */
  accept(_position?: number): Promise<void> {
    return Promise.resolve();
  }

  /** Accepts every shown candidate in one undo step; nothing to accept here. */
  acceptAll(): Promise<void> {
    return Promise.resolve();
  }
}
