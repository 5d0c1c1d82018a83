// Polygon (P): idle → drawing. Click adds a vertex; clicking the first vertex,
// Enter or a double-click closes (3 vertices at least); Backspace undoes the
// last click; Esc abandons the polygon.
// With live-wire on (L), each edge follows the strongest image edges: the
// preview from the last vertex to the cursor shows that path, a click adds its
// vertices (simplified to 1 px), and closing runs it back to the first vertex.
// Without the image's pixels (still loading, unreadable) edges stay straight.
import { simplifyPolyline } from '../../../common/geometry/polygon.js';
import { addAnnotation } from './addAnnotation.js';
import { clampToImage } from './geometryEdits.js';
import { LiveWire } from './liveWire/liveWire.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

const MIN_VERTICES = 3;
/** Douglas–Peucker tolerance for live-wire paths, in image pixels: the path's pixel staircase goes, its shape stays. */
const LIVE_WIRE_TOLERANCE = 1;

export class PolygonTool implements Tool {
  readonly id = 'polygon';
  private points: number[] = [];
  /** Vertices each click added (a live-wire click adds a whole path), so Backspace undoes one click. */
  private verticesPerClick: number[] = [];
  private cursor: { x: number; y: number } | null = null;
  /** Kept across polygons: it caches the edge costs of its image. */
  private liveWire: LiveWire | null = null;

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
    const x = clampToImage(p.x, width);
    const y = clampToImage(p.y, height);
    // The path's first point is the last vertex, already placed.
    const added = this.points.length === 0 ? [x, y] : this.edgeTo(x, y).slice(2);
    this.points = [...this.points, ...added];
    this.verticesPerClick = [...this.verticesPerClick, added.length / 2];
    this.cursor = { x: p.x, y: p.y };
    this.showDraft();
  }

  onPointerMove(p: ToolPointer): void {
    if (this.points.length === 0) {
      // Starts reading the image's pixels before the first click needs them.
      this.activeLiveWire();
      return;
    }
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
      const removed = this.verticesPerClick.at(-1) ?? 1;
      this.verticesPerClick = this.verticesPerClick.slice(0, -1);
      this.points = this.points.slice(0, -2 * removed);
      this.showDraft();
      return true;
    }
    return false;
  }

  /** Live-wire was switched on or off: redraw the edge to the cursor. */
  refresh(): void {
    this.activeLiveWire();
    this.showDraft();
  }

  cancel(): void {
    this.points = [];
    this.verticesPerClick = [];
    this.cursor = null;
    this.ctx.setDraft(null);
  }

  /** Closes the polygon if it has enough vertices (along the live-wire back to the first one); otherwise keeps drawing. */
  private close(): void {
    if (this.points.length < 2 * MIN_VERTICES) return;
    const closing = this.edgeTo(this.points[0]!, this.points[1]!).slice(2, -2);
    const outer = [...this.points, ...closing];
    this.cancel();
    addAnnotation(this.ctx, { kind: 'polygon', polygons: [{ outer, holes: [] }] });
  }

  /** The edge from the last vertex to (x, y), both included: along the live-wire when it is on and the pixels are there, else straight. */
  private edgeTo(x: number, y: number): number[] {
    const fromX = this.points[this.points.length - 2]!;
    const fromY = this.points[this.points.length - 1]!;
    const wire = this.activeLiveWire();
    if (!wire) return [fromX, fromY, x, y];
    return simplifyPolyline(wire.path({ x: fromX, y: fromY }, { x, y }), LIVE_WIRE_TOLERANCE);
  }

  private activeLiveWire(): LiveWire | null {
    if (!this.ctx.liveWireEnabled()) return null;
    const image = this.ctx.imagePixels();
    if (!image) return null;
    if (this.liveWire?.image !== image) this.liveWire = new LiveWire(image);
    return this.liveWire;
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
    let cursorPath: number[] | null = null;
    if (this.cursor && this.activeLiveWire()) {
      const { width, height } = this.ctx.imageSize();
      cursorPath = canClose
        ? this.edgeTo(this.points[0]!, this.points[1]!).slice(2)
        : this.edgeTo(clampToImage(this.cursor.x, width), clampToImage(this.cursor.y, height)).slice(2);
    }
    this.ctx.setDraft({ kind: 'polygon', points: this.points, cursor: this.cursor, canClose, cursorPath });
  }
}
