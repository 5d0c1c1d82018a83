// Accepting: the shown candidate (or all of them) is being materialised at
// full resolution and committed. Another accept waits for nothing: it is
// refused, as a click on another proposal is. Prompts still work and move the
// session on; the accept then completes without touching what came after.
// When it lands while the session is still here, prompted and region masks
// go with the prompts that made them, and an accepted proposal leaves the list.
import type { ClickPromptInput } from '../../../../common/contract/index.js';
import { SessionState } from './sessionState.js';

export class Accepting extends SessionState {
  readonly name = 'accepting';

  override click(click: ClickPromptInput): void {
    if (this.session.proposalAt(click) === null) super.click(click);
  }

  /** The candidate with engine index `index`, shown at `position`, is now an annotation. */
  acceptedOne(index: number, position: number): void {
    if (!this.isCurrent()) return;
    const shown = this.session.ctx.shown;
    const remaining = shown?.mode === 'everything' ? shown.set.candidates.filter((c) => c.index !== index) : [];
    if (!shown || remaining.length === 0) {
      this.session.discard();
      return;
    }
    this.session.ctx.shown = { ...shown, set: { ...shown.set, candidates: remaining } };
    this.session.toCandidates();
    this.session.select(Math.min(position, remaining.length - 1));
  }

  acceptedAll(): void {
    if (this.isCurrent()) this.session.discard();
  }

  /** The engine or the document refused: the candidates stay for another try. */
  failed(): void {
    if (this.isCurrent()) this.session.settle();
  }
}
