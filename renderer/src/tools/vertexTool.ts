// Edit vertices (N) of polygons: idle → dragging a vertex. Pressing on an
// edge inserts a vertex there and drags it; Alt+click or right-click deletes a
// vertex. Elsewhere a click selects the annotation under the pointer.
import type { Annotation, Polygon } from '../../../common/contract/index.js';
import { deleteVertex, insertVertex, moveVertex } from './geometryEdits.js';
import { annotationAt, edgeAt, vertexAt, type VertexRef } from './hitTesting.js';
import type { Tool, ToolContext, ToolPointer } from './toolTypes.js';

type State = { name: 'idle' } | { name: 'dragging'; annotation: Annotation; polygons: Polygon[]; ref: VertexRef; moved: boolean };

export class VertexTool implements Tool {
  readonly id = 'vertex';
  private current: State = { name: 'idle' };

  constructor(private readonly ctx: ToolContext) {}

  state(): string {
    return this.current.name;
  }

  onPointerDown(p: ToolPointer): void {
    const tolerance = this.ctx.hitTolerance();
    for (const annotation of this.editable()) {
      if (annotation.geometry.kind !== 'polygon') continue;
      const polygons = annotation.geometry.polygons;
      const vertex = vertexAt(polygons, p.x, p.y, tolerance);
      if (vertex && (p.alt || p.button === 2)) {
        const remaining = deleteVertex(polygons, vertex);
        if (remaining) this.commit(annotation, remaining);
        return;
      }
      if (p.button !== 0) continue;
      if (vertex) {
        this.current = { name: 'dragging', annotation, polygons, ref: vertex, moved: false };
        return;
      }
      const edge = edgeAt(polygons, p.x, p.y, tolerance);
      if (edge) {
        const inserted = insertVertex(polygons, edge.ref, edge.point.x, edge.point.y);
        const ref = { ...edge.ref, vertex: edge.ref.vertex + 1 };
        // Inserting counts as a change even without a drag.
        this.current = { name: 'dragging', annotation, polygons: inserted, ref, moved: true };
        this.preview(annotation, inserted);
        return;
      }
    }
    if (p.button !== 0) return;
    const hit = annotationAt(this.ctx.annotations(), p.x, p.y, tolerance, (a) => this.ctx.decodeMask(a));
    this.ctx.setSelection(hit ? [hit.id] : []);
  }

  onPointerMove(p: ToolPointer): void {
    const s = this.current;
    if (s.name !== 'dragging') return;
    const polygons = moveVertex(s.polygons, s.ref, p.x, p.y);
    this.current = { ...s, polygons, moved: true };
    this.preview(s.annotation, polygons);
  }

  onPointerUp(): void {
    const s = this.current;
    this.cancel();
    if (s.name === 'dragging' && s.moved) this.commit(s.annotation, s.polygons);
  }

  onKeyDown(): boolean {
    return false;
  }

  cancel(): void {
    this.current = { name: 'idle' };
    this.ctx.setPreviews(null);
  }

  /** Selected polygons first (so they win over ones beneath), then the rest, topmost first. */
  private editable(): Annotation[] {
    const selected = new Set(this.ctx.selection());
    const all = [...this.ctx.annotations()].reverse();
    return [...all.filter((a) => selected.has(a.id)), ...all.filter((a) => !selected.has(a.id))];
  }

  private preview(annotation: Annotation, polygons: Polygon[]): void {
    this.ctx.setPreviews(new Map([[annotation.id, { kind: 'geometry', geometry: { kind: 'polygon', polygons } }]]));
  }

  private commit(annotation: Annotation, polygons: Polygon[]): void {
    this.ctx.commit([{ type: 'annotation.put', annotation: { ...annotation, geometry: { kind: 'polygon', polygons } } }]);
    this.ctx.setSelection([annotation.id]);
  }
}
