// Polygon (P): idle → drawing. Click adds a vertex; clicking the first vertex,
// Enter or a double-click closes (3 vertices at least); Backspace removes the
// last vertex; Esc abandons the polygon.
import { addAnnotation } from './addAnnotation.js';
import { clampToImage } from './geometryEdits.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

const MIN_VERTICES = 3;

export class PolygonTool implements Tool {
  readonly id = 'polygon';
  private points: number[] = [];
  private cursor: { x: number; y: number } | null = null;

  constructor(private readonly ctx: ToolContext) {}

  state(): string {
    return this.points.length === 0 ? 'idle' : 'drawing';
  }

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0) return;
    if (p.clickCount >= 2 || this.isOnFirstVertex(p.x, p.y)) {
      this.close();
      return;
    }
    const { width, height } = this.ctx.imageSize();
    this.points = [...this.points, clampToImage(p.x, width), clampToImage(p.y, height)];
    this.cursor = { x: p.x, y: p.y };
    this.showDraft();
  }

  onPointerMove(p: ToolPointer): void {
    if (this.points.length === 0) return;
    this.cursor = { x: p.x, y: p.y };
    this.showDraft();
  }

  onPointerUp(): void {}

  onKeyDown(key: string): boolean {
    if (this.points.length === 0) return false;
    if (key === 'Enter') {
      this.close();
      return true;
    }
    if (key === 'Backspace') {
      this.points = this.points.slice(0, -2);
      this.showDraft();
      return true;
    }
    return false;
  }

  cancel(): void {
    this.points = [];
    this.cursor = null;
    this.ctx.setDraft(null);
  }

  /** Closes the polygon if it has enough vertices; otherwise keeps drawing. */
  private close(): void {
    if (this.points.length < 2 * MIN_VERTICES) return;
    const outer = this.points;
    this.cancel();
    addAnnotation(this.ctx, { kind: 'polygon', polygons: [{ outer, holes: [] }] });
  }

  private isOnFirstVertex(x: number, y: number): boolean {
    if (this.points.length < 2 * MIN_VERTICES) return false;
    return Math.hypot(this.points[0]! - x, this.points[1]! - y) <= this.ctx.hitTolerance();
  }

  private showDraft(): void {
    if (this.points.length === 0) {
      this.ctx.setDraft(null);
      return;
    }
    const canClose = this.points.length >= 2 * MIN_VERTICES && this.cursor !== null && this.isOnFirstVertex(this.cursor.x, this.cursor.y);
    this.ctx.setDraft({ kind: 'polygon', points: this.points, cursor: this.cursor, canClose });
  }
}
