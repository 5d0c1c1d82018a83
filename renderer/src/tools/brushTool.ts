// Brush (B) and eraser (E) on masks: idle → painting. The stroke is previewed
// as a line and rasterised into the mask once, on release (one history step).
// The brush paints into the selected mask or starts a new one; the eraser
// works on the selected mask, else on the mask under the pointer.
import type { Annotation } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { addAnnotation } from './addAnnotation.js';
import { pointInMask } from './hitTesting.js';
import { isEmptyMask, rasteriseStroke } from './strokeRaster.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

type State = { name: 'idle' } | { name: 'painting'; target: Annotation | null; points: number[] };

export class BrushTool implements Tool {
  readonly id: 'brush' | 'eraser';
  private current: State = { name: 'idle' };

  constructor(
    private readonly ctx: ToolContext,
    private readonly erase: boolean,
  ) {
    this.id = erase ? 'eraser' : 'brush';
  }

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0) return;
    const target = this.findTarget(p);
    if (this.erase && !target) return;
    this.current = { name: 'painting', target, points: [p.x, p.y] };
    this.showDraft();
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name !== 'painting') return;
    const lastX = s.points.at(-2)!,
      lastY = s.points.at(-1)!;
    // Points closer than a pixel add nothing but work.
    if (Math.hypot(p.x - lastX, p.y - lastY) < 1) return;
    s.points.push(p.x, p.y);
    this.showDraft();
  }

  onPointerUp(): void {
    const s = this.current;
    this.cancel();
    if (s.name !== 'painting') return;
    const { width, height } = this.ctx.imageSize();
    const existing = s.target && this.ctx.decodeMask(s.target);
    // Decoded masks may be shared (cached): paint into a copy.
    const mask: BinaryMask = existing
      ? { ...existing, data: existing.data.slice() }
      : { width, height, data: new Uint8Array(width * height) };
    rasteriseStroke(mask, s.points, this.ctx.brushRadius(), this.erase ? 0 : 1);
    if (s.target) {
      if (isEmptyMask(mask)) {
        this.ctx.commit([{ type: 'annotation.delete', id: s.target.id, revision: s.target.revision }]);
        this.ctx.setSelection([]);
      } else {
        this.ctx.commit([{ type: 'annotation.put', annotation: { ...s.target, geometry: this.ctx.encodeMask(mask) } }]);
      }
      return;
    }
    if (isEmptyMask(mask)) return;
    addAnnotation(this.ctx, this.ctx.encodeMask(mask));
  }

  onKeyDown(): boolean {
    return false;
  }

  cancel(): void {
    this.current = { name: 'idle' };
    this.ctx.setDraft(null);
  }

  private findTarget(p: ToolPointer): Annotation | null {
    const masks = this.ctx.annotations().filter((a) => a.geometry.kind === 'mask');
    const selected = this.ctx.selection();
    const selectedMask = selected.length === 1 ? masks.find((a) => a.id === selected[0]) : undefined;
    if (selectedMask) return selectedMask;
    if (!this.erase) return null;
    for (let i = masks.length - 1; i >= 0; i--) {
      const mask = this.ctx.decodeMask(masks[i]!);
      if (mask && pointInMask(mask, p.x, p.y)) return masks[i]!;
    }
    return null;
  }

  private showDraft(): void {
    const s = this.current;
    if (s.name !== 'painting') return;
    this.ctx.setDraft({
      kind: 'stroke',
      points: [...s.points],
      radius: this.ctx.brushRadius(),
      erase: this.erase,
      targetId: s.target?.id ?? null,
    });
  }
}
