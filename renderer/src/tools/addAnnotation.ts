// How every drawing tool finishes: one undoable commit, then the new shape is selected.
import type { Geometry } from '../../../common/contract/index.js';
import type { ToolContext } from './toolTypes.js';

export function addAnnotation(ctx: ToolContext, geometry: Geometry): void {
  const annotation = ctx.newAnnotation(geometry);
  ctx.commit([{ type: 'annotation.put', annotation }]);
  ctx.setSelection([annotation.id]);
}
