// The AI session as an explicit state machine: idle, prompting, candidates,
// accepting, everything and detecting (one file each, beside this one). This class holds
// what the states share (the prompt draft, the candidates on screen, the label
// choice, the settings, what the next request refines) and the transitions;
// each event goes to the current state, which decides. Plain TypeScript: the
// app reaches it through `AiSessionHost`, and zustand only mirrors its view
// (store/aiSessionSlice.ts), as it does for UndoHistory.
import type {
  CandidateSet,
  ClickPromptInput,
  DetectionSet,
  LabelMap,
  ModelInfo,
  ReferencePromptInput,
  ScribblePromptInput,
} from '../../../../common/contract/index.js';
import type { Corners } from '../../lib/corners.js';
import { LatestWins, Throttle } from '../../lib/latestWins.js';
import { candidateAt, candidateCrop } from '../../masks/candidateBitmap.js';
import type { AiGestures } from '../../tools/aiPromptTool.js';
import {
  bestPosition,
  type CapabilityKind,
  capabilityProblem,
  clampTolerance,
  cyclePosition,
  DEFAULT_WAND_TOLERANCE,
  EMPTY_PROMPTS,
  hasPrompts,
  preselectedLabel,
  type PromptDraft,
  REGION_COUNT,
  regionsOffered,
  wandActive,
} from '../aiPrompts.js';
import { detectionCandidate, remapDetections } from '../detections.js';
import { Accepting } from './accepting.js';
import { Candidates } from './candidates.js';
import { Detecting } from './detecting.js';
import { Everything } from './everything.js';
import { Idle } from './idle.js';
import { Prompting } from './prompting.js';
import type { SessionState } from './sessionState.js';
import type { AiSessionHost, AiSessionView, CandidateMode, SegmentRequest, SessionContext, SessionSettings } from './sessionTypes.js';
import { isProposalMode } from './sessionTypes.js';

/** How often a moving tolerance slider may start a request. */
const TOLERANCE_RERUN_MS = 60;

export class AiSession implements AiGestures {
  /** Shared by the states; read it through `view()` from outside. */
  readonly ctx: SessionContext = {
    prompts: EMPTY_PROMPTS,
    liveStroke: null,
    shown: null,
    label: { id: null, picked: false },
    settings: { scribbleMode: false, wandMode: false, wandTolerance: DEFAULT_WAND_TOLERANCE, region: 0 },
    refinement: { kind: 'shown' },
    unshown: null,
    boxDrag: null,
  };
  /** Prompt requests, one in flight at a time, latest wins. */
  readonly runner: LatestWins<SegmentRequest, CandidateSet>;
  private readonly toleranceRerun: Throttle;
  private current: SessionState = new Idle(this);
  /** Nesting of `act`: the view is published once, when the outermost event is done. */
  private depth = 0;

  constructor(
    readonly host: AiSessionHost,
    private readonly onChange: (view: AiSessionView) => void = () => {},
  ) {
    this.runner = new LatestWins<SegmentRequest, CandidateSet>({
      build: () => Prompting.request(this),
      send: (request, seq) => {
        performance.mark('ai:prompt-sent', { detail: { requestSeq: seq, imageId: request.imageId } });
        return host.segment(request);
      },
      onAnswer: (candidates, request, seq) => this.act(() => Prompting.answered(this, candidates, request, seq, this.runner.superseded)),
      onError: (error) => this.act(() => (host.isCancelled(error) ? host.info('Cancelled.') : host.error(error))),
      onBusyChange: (busy) => this.act(() => (busy ? this.current.requestStarted() : this.current.requestSettled())),
    });
    this.toleranceRerun = new Throttle(() => this.act(() => this.runner.request()), TOLERANCE_RERUN_MS);
  }

  /** The current state (the view says its name). */
  get state(): SessionState {
    return this.current;
  }

  view(): AiSessionView {
    const { prompts, liveStroke, shown, label, settings } = this.ctx;
    return {
      state: this.current.name,
      prompts,
      liveStroke,
      candidates: shown?.set ?? null,
      detections: shown?.detections ?? null,
      mode:
        shown?.mode ?? (this.current.name === 'everything' ? 'everything' : this.current.name === 'detecting' ? 'detections' : 'prompt'),
      regions: shown?.regions ?? [],
      selected: shown?.selected ?? 0,
      requestSeq: shown?.requestSeq ?? 0,
      labelId: label.id,
      labelPicked: label.picked,
      settings,
    };
  }

  /** Prompts or candidates are on screen, or proposals are being made (Esc has something to drop). */
  hasWork(): boolean {
    return (
      hasPrompts(this.ctx.prompts) || this.ctx.shown !== null || this.current.name === 'everything' || this.current.name === 'detecting'
    );
  }

  candidateCount(): number {
    return this.ctx.shown?.set.candidates.length ?? 0;
  }

  /** Scribble regions are offered by the current provider. */
  regionsOffered(): boolean {
    return regionsOffered(this.host.model());
  }

  // Gestures of the AI prompt tool.

  scribbleMode(): boolean {
    return this.ctx.settings.scribbleMode;
  }

  addClick(click: ClickPromptInput): void {
    this.act(() => this.current.click(click));
  }

  dragBox(box: Corners, final: boolean): void {
    this.act(() => {
      const c = this.ctx;
      if (!c.boxDrag) {
        // Said once, on release, not on every pointer move.
        if (!this.allowed('box', final)) return;
        this.current.leaveProposals();
        c.boxDrag = { before: c.prompts.box, memory: Prompting.shownMemory(c) };
      }
      // While a box is dragged (and for its final request), refinement starts from the candidate before the drag.
      c.refinement = c.boxDrag.memory ? { kind: 'fixed', memory: c.boxDrag.memory } : { kind: 'none' };
      if (final) c.boxDrag = null;
      this.changePrompts({ ...c.prompts, box });
    });
  }

  cancelBoxDrag(): void {
    this.act(() => {
      const drag = this.ctx.boxDrag;
      if (!drag) return;
      this.ctx.boxDrag = null;
      this.changePrompts({ ...this.ctx.prompts, box: drag.before });
    });
  }

  showStroke(stroke: ScribblePromptInput | null): void {
    this.act(() => {
      this.ctx.liveStroke = stroke ? this.inRegion(stroke) : null;
    });
  }

  addScribble(scribble: ScribblePromptInput): void {
    this.act(() => {
      if (this.wandActive()) {
        this.host.info('The magic wand fills from clicks; turn it off (W) to scribble.');
        return;
      }
      if (!this.allowed('scribble')) return;
      this.ctx.refinement = { kind: 'shown' };
      this.changePrompts({ ...this.ctx.prompts, scribbles: [...this.ctx.prompts.scribbles, this.inRegion(scribble)] });
    });
  }

  // Prompts and settings from the panel.

  /** null or blank removes the text prompt; the same text again runs it again (e.g. after the engine failed). */
  setText(text: string | null): void {
    this.act(() => {
      const trimmed = text?.trim() || null;
      if (trimmed === this.ctx.prompts.text) {
        if (trimmed !== null) this.runner.request();
        return;
      }
      if (trimmed !== null && !this.allowed('text')) return;
      this.ctx.refinement = { kind: 'shown' };
      this.changePrompts({ ...this.ctx.prompts, text: trimmed });
    });
  }

  setReference(reference: ReferencePromptInput | null): void {
    this.act(() => {
      if (reference && !this.allowed('reference')) return;
      this.ctx.refinement = { kind: 'shown' };
      this.changePrompts({ ...this.ctx.prompts, reference });
    });
  }

  setScribbleMode(scribbleMode: boolean): void {
    this.act(() => this.setSettings({ scribbleMode }));
  }

  /** Turns the magic wand on or off; refused with the reason when the provider has none. */
  setWandMode(on: boolean): void {
    this.act(() => {
      if (on === this.ctx.settings.wandMode) return;
      if (on && !this.allowed('wand')) return;
      this.setSettings({ wandMode: on });
      // The clicks on screen mean something else now: seeds of a fill, or point prompts.
      if (!hasPrompts(this.ctx.prompts)) return;
      this.current.leaveProposals();
      this.ctx.refinement = { kind: 'shown' };
      this.runner.request();
    });
  }

  toggleWand(): void {
    this.setWandMode(!this.ctx.settings.wandMode);
  }

  /** Moves the tolerance; a wand fill on screen is redone with it (throttled, latest wins). */
  setWandTolerance(tolerance: number): void {
    this.act(() => {
      const value = clampTolerance(tolerance);
      if (value === this.ctx.settings.wandTolerance) return;
      this.setSettings({ wandTolerance: value });
      if (this.wandActive() && this.ctx.prompts.clicks.some((c) => c.positive)) this.toleranceRerun.schedule();
    });
  }

  /** Region for new scribbles; false (nothing changes) when the provider has no regions or it is out of range. */
  setRegion(region: number): boolean {
    if (!Number.isInteger(region) || region < 0 || region >= REGION_COUNT || !this.regionsOffered()) return false;
    this.act(() => this.setSettings({ region }));
    return true;
  }

  /** Another model is current: the wand and the regions were the old provider's tools, the new one may have neither. */
  providerChanged(model: ModelInfo | undefined): void {
    this.act(() => {
      if (model && !model.capabilities.wand && this.ctx.settings.wandMode) this.setSettings({ wandMode: false });
      if (model && !model.capabilities.regions && this.ctx.settings.region !== 0) this.setSettings({ region: 0 });
    });
  }

  /** Removes the canvas prompts (clicks, box, scribbles); text and reference stay. */
  clearCanvasPrompts(): void {
    this.act(() => {
      this.ctx.boxDrag = null;
      // The candidate on screen came from the prompts being removed.
      this.ctx.refinement = { kind: 'none' };
      this.changePrompts({ ...this.ctx.prompts, clicks: [], box: null, scribbles: [] });
    });
  }

  /** Drops every prompt and candidate (Esc, another image, another model); an accept in flight still lands. */
  discard(): void {
    this.act(() => {
      this.invalidate();
      const c = this.ctx;
      c.boxDrag = null;
      c.refinement = { kind: 'shown' };
      c.prompts = EMPTY_PROMPTS;
      c.liveStroke = null;
      c.shown = null;
      c.label = { ...c.label, picked: false };
      this.toIdle();
    });
  }

  // Candidates.

  cycle(delta: number): void {
    this.act(() => {
      const shown = this.ctx.shown;
      if (shown) this.select(cyclePosition(shown.selected, shown.set.candidates.length, delta));
    });
  }

  select(position: number): void {
    this.act(() => {
      const shown = this.ctx.shown;
      const candidate = shown?.set.candidates[position];
      if (!shown || !candidate) return;
      // A proposal is another object: its own guess, not the label picked for the previous one.
      const keep = shown.mode === 'prompt' && this.ctx.label.picked;
      this.ctx.shown = { ...shown, selected: position };
      this.ctx.label = keep
        ? this.ctx.label
        : { id: preselectedLabel(candidate, this.host.labels(), this.host.activeLabelId()), picked: false };
    });
  }

  chooseLabel(labelId: string | null): void {
    this.act(() => {
      this.ctx.label = { id: labelId, picked: true };
    });
  }

  /** The label with that hotkey (1–9), if the project has one. */
  chooseLabelByHotkey(digit: string): boolean {
    const label = this.host.labels().find((l) => l.hotkey === digit);
    if (label) this.chooseLabel(label.id);
    return label !== undefined;
  }

  /** Accepts the selected candidate (or the one at `position`) as an annotation: one undo step. */
  accept(position?: number): Promise<void> {
    return this.act(() => this.current.accept(position));
  }

  /** Accepts every proposal (or region mask) in one undo step. */
  acceptAll(): Promise<void> {
    return this.act(() => this.current.acceptAll());
  }

  /** Proposals for the whole image (G): drops the prompts and candidates first. */
  segmentEverything(): Promise<void> {
    return Everything.run(this);
  }

  /** The current detector's objects on the whole image, their boxes made masks by `chainModelId` when given. */
  detectObjects(chainModelId: string | null = null): Promise<void> {
    return Detecting.run(this, chainModelId);
  }

  /**
   * The detector's class names were mapped onto labels (ai.setLabelMap) or a
   * label was made: the detections on screen get their labels again, the
   * ones already accepted staying gone, and a label the user picked kept.
   */
  applyLabelMap(map: LabelMap): void {
    this.act(() => {
      const shown = this.ctx.shown;
      if (shown?.mode !== 'detections' || !shown.detections) return;
      const detections = remapDetections(shown.detections, this.host.labels(), map);
      const byIndex = new Map(detections.detections.map((d) => [d.index, d]));
      const candidates = shown.set.candidates.map((c) => {
        const d = byIndex.get(c.index);
        return d ? detectionCandidate(d) : c;
      });
      this.ctx.shown = { ...shown, detections, set: { ...shown.set, candidates } };
      if (!this.ctx.label.picked) {
        this.ctx.label = { id: preselectedLabel(candidates[shown.selected], this.host.labels(), this.host.activeLabelId()), picked: false };
      }
    });
  }

  // Transitions and what the states share. Not for the UI.

  toIdle(): void {
    this.current = new Idle(this);
  }

  toPrompting(): void {
    this.current = new Prompting(this);
  }

  toCandidates(): void {
    this.current = new Candidates(this);
  }

  toAccepting(): Accepting {
    const accepting = new Accepting(this);
    this.current = accepting;
    return accepting;
  }

  toEverything(): Everything {
    const running = new Everything(this);
    this.current = running;
    return running;
  }

  toDetecting(): Detecting {
    const running = new Detecting(this);
    this.current = running;
    return running;
  }

  /** Nothing in flight any more: candidates if some are shown, else idle. */
  settle(): void {
    if (this.ctx.shown) this.toCandidates();
    else this.toIdle();
  }

  /** Drops the answers of every request sent so far. */
  invalidate(): void {
    this.runner.reset();
    this.ctx.unshown = null;
    this.toleranceRerun.cancel();
  }

  /** Proposals (or candidates) leave the screen; prompting starts afresh. */
  dropShown(): void {
    this.invalidate();
    this.ctx.shown = null;
    this.ctx.label = { ...this.ctx.label, picked: false };
    this.toIdle();
  }

  /** A click prompt, if the model takes one (with the wand on, a click is a fill seed). */
  addClickPrompt(click: ClickPromptInput): void {
    if (!this.allowed(this.ctx.settings.wandMode ? 'wand' : 'points')) return;
    this.ctx.refinement = { kind: 'shown' };
    this.changePrompts({ ...this.ctx.prompts, clicks: [...this.ctx.prompts.clicks, click] });
  }

  /** The position of the proposal a positive click lands on, after segment everything. */
  proposalAt(click: ClickPromptInput): number | null {
    const shown = this.ctx.shown;
    if (!shown || !isProposalMode(shown.mode) || !click.positive) return null;
    return candidateAt(shown.set, click.x, click.y, (c) => candidateCrop(shown.set.id, c));
  }

  showCandidates(
    set: CandidateSet,
    mode: CandidateMode,
    requestSeq: number,
    regions: readonly number[] = [],
    detections: DetectionSet | null = null,
  ): void {
    // An answer for an image no longer on screen has nothing to show.
    if (set.imageId !== this.host.imageId()) return;
    const selected = bestPosition(set);
    const keep = mode === 'prompt' && this.ctx.label.picked;
    this.ctx.shown = { set, mode, regions, selected, requestSeq, detections };
    this.ctx.unshown = null;
    this.ctx.label = keep
      ? this.ctx.label
      : { id: preselectedLabel(set.candidates[selected], this.host.labels(), this.host.activeLabelId()), picked: false };
  }

  /** Runs an event and publishes the view once it (and every event it causes) is done; async work calls it again when it lands. */
  act<T>(event: () => T): T {
    this.depth++;
    try {
      return event();
    } finally {
      if (--this.depth === 0) this.onChange(this.view());
    }
  }

  private setSettings(change: Partial<SessionSettings>): void {
    this.ctx.settings = { ...this.ctx.settings, ...change };
  }

  /** New prompts: send them (latest wins), or, with none left, drop what they produced. */
  private changePrompts(prompts: PromptDraft): void {
    this.current.leaveProposals();
    this.ctx.prompts = prompts;
    if (hasPrompts(prompts)) {
      this.runner.request();
      return;
    }
    this.invalidate();
    this.ctx.refinement = { kind: 'shown' };
    this.ctx.shown = null;
    this.ctx.label = { ...this.ctx.label, picked: false };
    this.toIdle();
  }

  /** A prompt the current model cannot take is refused with the reason (the panel greys it out too). */
  allowed(kind: CapabilityKind, report = true): boolean {
    const model = this.host.model();
    // Unknown model (engine not answering yet): let the engine say what is wrong.
    const problem = model ? capabilityProblem(kind, model.capabilities, model.displayName) : null;
    if (problem && report) this.host.info(problem);
    return problem === null;
  }

  /** The magic wand is on and the current provider has one: clicks are fill seeds. */
  wandActive(): boolean {
    return wandActive(this.ctx.settings.wandMode, this.host.model());
  }

  /** A new scribble goes to the chosen region when the provider splits by regions. */
  private inRegion(scribble: ScribblePromptInput): ScribblePromptInput {
    return this.regionsOffered() ? { ...scribble, region: this.ctx.settings.region } : scribble;
  }
}
