// Prompting: a prompt request is in flight. Latest wins: prompts added
// meanwhile only mark the runner dirty, and ONE request for the prompts as
// they are then follows the answer. The previous answer stays on screen until
// the next one replaces it. Accept waits for the answer and takes what it shows.
// Here too: what a prompt request is (the memory prompt included) and how
// its answer is shown.
import type { CandidateSet } from '../../../../common/contract/index.js';
import { regionCount, segmentPayload } from '../aiPrompts.js';
import type { AiSession } from './aiSession.js';
import { SessionState } from './sessionState.js';
import type { Memory, SegmentRequest, SessionContext } from './sessionTypes.js';

export class Prompting extends SessionState {
  readonly name = 'prompting';

  /** The request for the prompts as they are now, or null when they send nothing (no image; a wand without a seed). */
  static request(session: AiSession): SegmentRequest | null {
    const { ctx, host } = session;
    const imageId = host.imageId();
    if (imageId === null) return null;
    const wand = session.wandActive();
    const payload = segmentPayload(ctx.prompts, wand ? { tolerance: ctx.settings.wandTolerance } : null);
    if (!payload) return null;
    // A fill has no memory of an earlier mask: each tolerance starts from the seeds again.
    const previous = wand ? null : Prompting.refines(ctx);
    const modelId = host.modelId();
    return { imageId, ...payload, ...(modelId ? { modelId } : {}), ...(previous ? { previous } : {}) };
  }

  /**
   * Shows an answer: one mask refined, or one mask per scribble region. An
   * answer the prompts have moved past (a click added meanwhile) is not shown,
   * only kept as the next request's memory; while a box is being dragged, or
   * a wand tolerance slid, every answer is shown, so the mask follows.
   */
  static answered(session: AiSession, candidates: CandidateSet, request: SegmentRequest, seq: number, superseded: boolean): void {
    if (superseded && session.ctx.boxDrag === null && !session.wandActive()) {
      const best = candidates.candidates[candidates.best];
      session.ctx.unshown = best ? { candidateSetId: candidates.id, index: best.index } : null;
      return;
    }
    const scribbles = request.prompts.scribbles ?? [];
    // Scribbles in several regions come back as one mask per region, in region order.
    if (regionCount(scribbles) < 2) {
      session.showCandidates(candidates, 'prompt', seq);
      return;
    }
    const regions = [...new Set(scribbles.map((x) => x.region ?? 0))].sort((a, b) => a - b);
    // A provider that left out a region (nothing found there) gives no way to pair the masks with regions.
    session.showCandidates(candidates, 'regions', seq, regions.length === candidates.candidates.length ? regions : []);
  }

  /** The prompted candidate on screen, as a memory prompt. */
  static shownMemory(ctx: SessionContext): Memory | null {
    const shown = ctx.shown;
    const candidate = shown?.mode === 'prompt' ? shown.set.candidates[shown.selected] : undefined;
    return shown && candidate ? { candidateSetId: shown.set.id, index: candidate.index } : null;
  }

  /** What the next request refines (its `previous`). */
  private static refines(ctx: SessionContext): Memory | null {
    const refinement = ctx.refinement;
    switch (refinement.kind) {
      case 'shown':
        return ctx.unshown ?? Prompting.shownMemory(ctx);
      case 'none':
        return null;
      case 'fixed':
        return refinement.memory;
    }
  }

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
