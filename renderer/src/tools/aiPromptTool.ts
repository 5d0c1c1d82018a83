// AI prompt (I): idle → pressing → boxing | scribbling → idle.
// A click is a positive point (Alt or right button: negative); a drag is a
// box that the candidate follows while it is dragged; Shift+drag (or any drag
// in scribble mode) is a scribble stroke, negative with Alt or the right
// button. The tool only turns gestures into prompts for the AI session
// (ai/session/), which sends them and holds the candidates; the AI keys
// (Enter, Tab, Esc, 1–9, Shift+1–4) are actions (actions/aiActions.ts).
import { type ClickPromptInput, isInsideImage, type ScribblePromptInput } from '../../../common/contract/index.js';
import { type Corners, cornersOf } from '../lib/corners.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

/** Where the AI prompt tool's gestures go: the AI session implements it (tests fake it). */
export interface AiGestures {
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
}

/** What the tool reads of the app besides the session. */
export type AiToolView = Pick<ToolContext, 'imageSize' | 'hitTolerance'>;

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

  constructor(
    private readonly view: AiToolView,
    private readonly ai: AiGestures,
  ) {}

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 && p.button !== 2) return;
    const negative = p.alt || p.button === 2;
    this.current = { name: 'pressing', x: p.x, y: p.y, negative, stroke: p.shift || this.ai.scribbleMode() || p.button === 2 };
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name === 'pressing') {
      // A few screen pixels of jitter on a click is not a drag.
      if (Math.hypot(p.x - s.x, p.y - s.y) < this.view.hitTolerance() / 2) return;
      if (s.stroke) {
        this.current = { name: 'scribbling', points: [this.clamp(s.x, s.y), this.clamp(p.x, p.y)], positive: !s.negative };
        this.showStroke();
      } else {
        this.current = { name: 'boxing', x: s.x, y: s.y };
        this.ai.dragBox(this.boxTo(s.x, s.y, p), false);
      }
      return;
    }
    if (s.name === 'boxing') {
      this.ai.dragBox(this.boxTo(s.x, s.y, p), false);
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
      const { width, height } = this.view.imageSize();
      // A click beside the image is not a prompt (the contract's rule; main refuses the same points).
      if (!isInsideImage(s.x, s.y, width, height)) return;
      this.ai.addClick({ x: s.x, y: s.y, positive: !s.negative });
      return;
    }
    if (s.name === 'boxing') {
      const box = this.boxTo(s.x, s.y, p);
      // Dragged back to (almost) nothing: not a box after all.
      if (box[2] - box[0] < 1 || box[3] - box[1] < 1) this.ai.cancelBoxDrag();
      else this.ai.dragBox(box, true);
      return;
    }
    if (s.name === 'scribbling') {
      this.ai.showStroke(null);
      this.ai.addScribble({ points: s.points, positive: s.positive });
    }
  }

  /** The AI keys are actions (they act on the session, not on a gesture); Esc during a gesture is the app's cancel. */
  onKeyDown(): boolean {
    return false;
  }

  cancel(): void {
    const s = this.current;
    this.current = { name: 'idle' };
    if (s.name === 'boxing') this.ai.cancelBoxDrag();
    if (s.name === 'scribbling') this.ai.showStroke(null);
  }

  private clamp(x: number, y: number): [number, number] {
    const { width, height } = this.view.imageSize();
    return [Math.max(0, Math.min(width - 1, x)), Math.max(0, Math.min(height - 1, y))];
  }

  private boxTo(x: number, y: number, p: ToolPointer): Corners {
    const { width, height } = this.view.imageSize();
    return cornersOf(x, y, p.x, p.y, width, height);
  }

  private showStroke(): void {
    const s = this.current;
    if (s.name === 'scribbling') this.ai.showStroke({ points: [...s.points], positive: s.positive });
  }
}
