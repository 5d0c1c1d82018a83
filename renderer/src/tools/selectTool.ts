// Select & move (V): idle → pointing (pressed on an annotation) → dragging.
// The drag is previewed as a translation and committed once, on release.
// (Delete is a global shortcut: it works whatever the tool.)
import type { Annotation, DocOp } from '../../../common/contract/index.js';
import { translateMask, translateOutline, translateVector } from './geometryEdits.js';
import { annotationAt } from './hitTesting.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

type State =
  | { name: 'idle' }
  | { name: 'pointing'; startX: number; startY: number }
  | { name: 'dragging'; startX: number; startY: number; dx: number; dy: number };

export class SelectTool implements Tool {
  readonly id = 'select';
  private current: State = { name: 'idle' };

  constructor(private readonly ctx: ToolContext) {}

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0) return;
    const hit = annotationAt(this.ctx.annotations(), p.x, p.y, this.ctx.hitTolerance(), (a) => this.ctx.decodeMask(a));
    const selection = this.ctx.selection();
    if (!hit) {
      if (!p.shift) this.ctx.setSelection([]);
      return;
    }
    if (p.shift) {
      this.ctx.setSelection(selection.includes(hit.id) ? selection.filter((id) => id !== hit.id) : [...selection, hit.id]);
      return;
    }
    if (!selection.includes(hit.id)) this.ctx.setSelection([hit.id]);
    this.current = { name: 'pointing', startX: p.x, startY: p.y };
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name === 'idle') return;
    const dx = p.x - s.startX,
      dy = p.y - s.startY;
    // A few screen pixels of jitter on a click is not a move.
    if (s.name === 'pointing' && Math.hypot(dx, dy) < this.ctx.hitTolerance() / 2) return;
    this.current = { name: 'dragging', startX: s.startX, startY: s.startY, dx, dy };
    this.ctx.setPreviews(new Map(this.ctx.selection().map((id) => [id, { kind: 'translate' as const, dx, dy }])));
  }

  onPointerUp(): void {
    const s = this.current;
    this.current = { name: 'idle' };
    if (s.name !== 'dragging') return;
    this.ctx.setPreviews(null);
    const moved = this.ctx.annotations().filter((a) => this.ctx.selection().includes(a.id));
    const ops = moved.flatMap((a): DocOp[] => {
      const next = this.translated(a, s.dx, s.dy);
      return next ? [{ type: 'annotation.put', annotation: next }] : [];
    });
    if (ops.length > 0) this.ctx.commit(ops);
  }

  onKeyDown(): boolean {
    return false;
  }

  cancel(): void {
    this.current = { name: 'idle' };
    this.ctx.setPreviews(null);
  }

  private translated(annotation: Annotation, dx: number, dy: number): Annotation | null {
    const g = annotation.geometry;
    if (g.kind !== 'mask') return { ...annotation, geometry: translateVector(g, dx, dy) };
    const mask = this.ctx.decodeMask(annotation);
    if (!mask) return null;
    const geometry = this.ctx.encodeMask(translateMask(mask, dx, dy));
    const outline = g.outline && translateOutline(g.outline, dx, dy, mask.width, mask.height);
    return { ...annotation, geometry: outline && geometry.kind === 'mask' ? { ...geometry, outline } : geometry };
  }
}
