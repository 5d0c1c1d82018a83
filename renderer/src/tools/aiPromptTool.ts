// AI prompt (I): idle → pressing → boxing | scribbling → idle.
// A click is a positive point (Alt or right button: negative); a drag is a
// box that the candidate follows while it is dragged; Shift+drag (or any drag
// in scribble mode) is a scribble stroke, negative with Alt or the right
// button. Enter accepts the candidate, Esc drops it, Tab / Shift+Tab cycle
// the candidates, 1–9 pick the label, Shift+1–4 the scribble region (for
// providers that split an image by regions). The tool only turns gestures
// into prompts; requests, candidates and accepting live in the AI slice.
import { isInsideImage, type ClickPromptInput, type ScribblePromptInput } from '../../../common/contract/index.js';
import { cornersOf, type Corners } from '../lib/corners.js';
import type { KeyModifiers, Tool, ToolPointer } from './toolTypes.js';

/** What the AI prompt tool may do; the store implements it (tests fake it). */
export interface AiToolContext {
  imageSize(): { width: number; height: number };
  /** Image pixels that correspond to a few screen pixels at the current zoom. */
  hitTolerance(): number;
  /** Drags draw scribbles even without Shift. */
  scribbleMode(): boolean;
  addClick(click: ClickPromptInput): void;
  /** The box while it is dragged (`final` false: the candidate follows it) and on release. */
  dragBox(box: Corners, final: boolean): void;
  /** Puts the box back as it was before the drag. */
  cancelBoxDrag(): void;
  /** The stroke being drawn, shown before it becomes a prompt. */
  showStroke(stroke: ScribblePromptInput | null): void;
  addScribble(scribble: ScribblePromptInput): void;
  /** Prompts or candidates are on screen (Esc has something to drop). */
  hasWork(): boolean;
  candidateCount(): number;
  accept(): void;
  discard(): void;
  cycleCandidate(delta: 1 | -1): void;
  /** Returns true when a label has that hotkey. */
  chooseLabelByHotkey(digit: string): boolean;
  /** Region (0-based) for the next scribbles; false when the provider has no regions. */
  selectRegion(region: number): boolean;
}

type State =
  | { name: 'idle' }
  | { name: 'pressing'; x: number; y: number; negative: boolean; stroke: boolean }
  | { name: 'boxing'; x: number; y: number }
  | { name: 'scribbling'; points: [number, number][]; positive: boolean };

/** Stroke points closer than this (image px) add nothing. */
const MIN_STROKE_STEP = 1;

export class AiPromptTool implements Tool {
  readonly id = 'ai';
  private current: State = { name: 'idle' };

  constructor(private readonly ctx: AiToolContext) {}

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 && p.button !== 2) return;
    const negative = p.alt || p.button === 2;
    this.current = { name: 'pressing', x: p.x, y: p.y, negative, stroke: p.shift || this.ctx.scribbleMode() || p.button === 2 };
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name === 'pressing') {
      // A few screen pixels of jitter on a click is not a drag.
      if (Math.hypot(p.x - s.x, p.y - s.y) < this.ctx.hitTolerance() / 2) return;
      if (s.stroke) {
        this.current = { name: 'scribbling', points: [this.clamp(s.x, s.y), this.clamp(p.x, p.y)], positive: !s.negative };
        this.showStroke();
      } else {
        this.current = { name: 'boxing', x: s.x, y: s.y };
        this.ctx.dragBox(this.boxTo(s.x, s.y, p), false);
      }
      return;
    }
    if (s.name === 'boxing') {
      this.ctx.dragBox(this.boxTo(s.x, s.y, p), false);
      return;
    }
    if (s.name === 'scribbling') {
      const [lastX, lastY] = s.points.at(-1)!;
      const next = this.clamp(p.x, p.y);
      if (Math.hypot(next[0] - lastX, next[1] - lastY) < MIN_STROKE_STEP) return;
      s.points.push(next);
      this.showStroke();
    }
  }

  onPointerUp(p: ToolPointer): void {
    const s = this.current;
    this.current = { name: 'idle' };
    if (s.name === 'pressing') {
      const { width, height } = this.ctx.imageSize();
      // A click beside the image is not a prompt (the contract's rule; main refuses the same points).
      if (!isInsideImage(s.x, s.y, width, height)) return;
      this.ctx.addClick({ x: s.x, y: s.y, positive: !s.negative });
      return;
    }
    if (s.name === 'boxing') {
      const box = this.boxTo(s.x, s.y, p);
      // Dragged back to (almost) nothing: not a box after all.
      if (box[2] - box[0] < 1 || box[3] - box[1] < 1) this.ctx.cancelBoxDrag();
      else this.ctx.dragBox(box, true);
      return;
    }
    if (s.name === 'scribbling') {
      this.ctx.showStroke(null);
      this.ctx.addScribble({ points: s.points, positive: s.positive });
    }
  }

  onKeyDown(key: string, modifiers?: KeyModifiers): boolean {
    if (key === 'Escape') {
      if (this.current.name !== 'idle') {
        this.cancel();
        return true;
      }
      if (!this.ctx.hasWork()) return false;
      this.ctx.discard();
      return true;
    }
    if (this.current.name !== 'idle') return false;
    // The physical key: Shift+1 types "!" on most layouts.
    const region = modifiers?.shift ? /^Digit([1-4])$/.exec(modifiers.code)?.[1] : undefined;
    if (region !== undefined && this.ctx.selectRegion(Number(region) - 1)) return true;
    const candidates = this.ctx.candidateCount();
    if (candidates === 0) return false;
    if (key === 'Enter') {
      this.ctx.accept();
      return true;
    }
    if (key === 'Tab') {
      this.ctx.cycleCandidate(modifiers?.shift ? -1 : 1);
      return true;
    }
    // The physical key, as the label shortcuts use (keyboard layouts differ in what 1–9 type).
    const digit = /^Digit([1-9])$/.exec(modifiers?.code ?? '')?.[1] ?? (/^[1-9]$/.test(key) ? key : null);
    return digit !== null && this.ctx.chooseLabelByHotkey(digit);
  }

  cancel(): void {
    const s = this.current;
    this.current = { name: 'idle' };
    if (s.name === 'boxing') this.ctx.cancelBoxDrag();
    if (s.name === 'scribbling') this.ctx.showStroke(null);
  }

  private clamp(x: number, y: number): [number, number] {
    const { width, height } = this.ctx.imageSize();
    return [Math.max(0, Math.min(width - 1, x)), Math.max(0, Math.min(height - 1, y))];
  }

  private boxTo(x: number, y: number, p: ToolPointer): Corners {
    const { width, height } = this.ctx.imageSize();
    return cornersOf(x, y, p.x, p.y, width, height);
  }

  private showStroke(): void {
    const s = this.current;
    if (s.name === 'scribbling') this.ctx.showStroke({ points: [...s.points], positive: s.positive });
  }
}
