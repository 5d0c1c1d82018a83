// Box (R): idle → pointing → drawing; release commits a box with the active label.
import { addAnnotation } from './addAnnotation.js';
import { boxFromCorners, clampToImage } from './geometryEdits.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

type State = { name: 'idle' } | { name: 'pointing' | 'drawing'; startX: number; startY: number };

/** Smaller drags are treated as stray clicks. */
const MIN_SIDE = 2;

export class BoxTool implements Tool {
  readonly id = 'box';
  private current: State = { name: 'idle' };

  constructor(private readonly ctx: ToolContext) {}

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0) return;
    const { width, height } = this.ctx.imageSize();
    this.current = { name: 'pointing', startX: clampToImage(p.x, width), startY: clampToImage(p.y, height) };
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name === 'idle') return;
    this.current = { ...s, name: 'drawing' };
    this.ctx.setDraft({ kind: 'box', box: this.boxTo(p) });
  }

  onPointerUp(p: ToolPointer): void {
    if (this.current.name === 'idle') return;
    const box = this.boxTo(p);
    this.cancel();
    if (box.w < MIN_SIDE || box.h < MIN_SIDE) return;
    addAnnotation(this.ctx, { kind: 'box', box });
  }

  onKeyDown(): boolean {
    return false;
  }

  cancel(): void {
    this.current = { name: 'idle' };
    this.ctx.setDraft(null);
  }

  private boxTo(p: ToolPointer) {
    const s = this.current;
    if (s.name === 'idle') return { x: p.x, y: p.y, w: 0, h: 0 };
    const { width, height } = this.ctx.imageSize();
    return boxFromCorners(s.startX, s.startY, clampToImage(p.x, width), clampToImage(p.y, height));
  }
}
