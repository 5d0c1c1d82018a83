// Accepting: the shown candidate (or all of them) is being materialised at
// full resolution and committed. Another accept waits for nothing: it is
// refused, as a click on another proposal is. Prompts still work and move the
// session on; the accept then completes without touching what came after.
// When it lands while the session is still here, prompted and region masks
// go with the prompts that made them, and an accepted proposal (or
// detection) leaves the list. A detection without a mask is stored as its box.
import type { Annotation, ClickPromptInput, MaskCandidate } from '../../../../common/contract/index.js';
import { preselectedLabel } from '../aiPrompts.js';
import { detectionBoxAnnotation } from '../detections.js';
import { acceptedAnnotation } from './acceptedAnnotation.js';
import type { AiSession } from './aiSession.js';
import { SessionState } from './sessionState.js';
import { isProposalMode, type Shown } from './sessionTypes.js';

/** One shown candidate as an annotation: a detection's box as it is, anything else materialised at full resolution. */
async function annotationOf(session: AiSession, shown: Shown, candidate: MaskCandidate, labelId: string | null): Promise<Annotation> {
  const { host } = session;
  const detection = shown.detections?.detections.find((d) => d.index === candidate.index);
  if (detection && !detection.mask) return detectionBoxAnnotation(detection, shown.detections!, labelId, host.labels());
  const mask = await host.materialize({ candidateSetId: shown.set.id, index: candidate.index });
  return acceptedAnnotation(mask, shown.set.imageId, labelId, host.labels());
}

export class Accepting extends SessionState {
  readonly name = 'accepting';

  /** Candidates → accepting: the candidate shown at `position` becomes an annotation (one undo step, selected). */
  static async one(session: AiSession, position: number): Promise<void> {
    const { ctx, host } = session;
    const shown = ctx.shown;
    const candidate = shown?.set.candidates[position];
    if (!shown || !candidate) return;
    const labelId = position === shown.selected ? ctx.label.id : preselectedLabel(candidate, host.labels(), host.activeLabelId());
    const accepting = session.act(() => session.toAccepting());
    try {
      const annotation = await annotationOf(session, shown, candidate, labelId);
      host.commit([annotation]);
      if (annotation.imageId === host.imageId()) host.select([annotation.id]);
      session.act(() => accepting.acceptedOne(candidate.index, position));
    } catch (error) {
      session.act(() => accepting.failed(error));
    }
  }

  /** Candidates → accepting: every shown candidate becomes an annotation, all in one undo step. */
  static async every(session: AiSession): Promise<void> {
    const { ctx, host } = session;
    const shown = ctx.shown;
    if (!shown || shown.set.candidates.length === 0) return;
    const { set, selected } = shown;
    const labelId = ctx.label.id;
    const accepting = session.act(() => session.toAccepting());
    try {
      const annotations: Annotation[] = [];
      // One at a time: the engine works through them in order anyway.
      for (const [position, candidate] of set.candidates.entries()) {
        const label = position === selected ? labelId : preselectedLabel(candidate, host.labels(), host.activeLabelId());
        annotations.push(await annotationOf(session, shown, candidate, label));
      }
      host.commit(annotations);
      session.act(() => accepting.acceptedAll());
    } catch (error) {
      session.act(() => accepting.failed(error));
    }
  }

  override click(click: ClickPromptInput): void {
    if (this.session.proposalAt(click) === null) super.click(click);
  }

  /** The candidate with engine index `index`, shown at `position`, is now an annotation. */
  acceptedOne(index: number, position: number): void {
    if (!this.isCurrent()) return;
    const shown = this.session.ctx.shown;
    const remaining = isProposalMode(shown?.mode) ? (shown?.set.candidates.filter((c) => c.index !== index) ?? []) : [];
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

  /** The engine refused (or the mask was empty): said, and the candidates stay for another try. */
  failed(error: unknown): void {
    this.session.host.error(error);
    if (this.isCurrent()) this.session.settle();
  }
}
