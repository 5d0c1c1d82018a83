// The tool for a toolbar choice, wired to what it works on: every tool gets
// the tool context; the AI prompt tool also the AI session's gestures (asked
// for only when that tool is made).
import { type AiGestures, AiPromptTool } from './aiPromptTool.js';
import { BoxTool } from './boxTool.js';
import { BrushTool } from './brushTool.js';
import { PolygonTool } from './polygonTool.js';
import { SelectTool } from './selectTool.js';
import type { Tool, ToolContext, ToolId } from './toolTypes.js';
import { VertexTool } from './vertexTool.js';

export function createTool(id: ToolId, ctx: ToolContext, aiGestures: () => AiGestures): Tool {
  switch (id) {
    case 'select':
      return new SelectTool(ctx);
    case 'vertex':
      return new VertexTool(ctx);
    case 'box':
      return new BoxTool(ctx);
    case 'polygon':
      return new PolygonTool(ctx);
    case 'brush':
      return new BrushTool(ctx, false);
    case 'eraser':
      return new BrushTool(ctx, true);
    case 'ai':
      return new AiPromptTool(ctx, aiGestures());
  }
}
