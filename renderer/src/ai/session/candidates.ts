// Candidates: masks are on screen and nothing is in flight. Tab cycles them,
// a label is chosen, Accept (Enter) turns the shown one into an annotation,
// Accept all every one of them. After segment everything, a click on a
// proposal accepts it; a click elsewhere starts prompting there.
import type { ClickPromptInput } from '../../../../common/contract/index.js';
import { Accepting } from './accepting.js';
import { SessionState } from './sessionState.js';

export class Candidates extends SessionState {
  readonly name = 'candidates';

  override click(click: ClickPromptInput): void {
    const proposal = this.session.proposalAt(click);
    if (proposal === null) super.click(click);
    else void this.accept(proposal);
  }

  override accept(position?: number): Promise<void> {
    return Accepting.one(this.session, position ?? this.session.ctx.shown?.selected ?? 0);
  }

  override acceptAll(): Promise<void> {
    return Accepting.every(this.session);
  }
}
