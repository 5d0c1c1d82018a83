import { AiPromptTool, type AiToolContext } from './aiPromptTool.js';
import { BoxTool } from './boxTool.js';
import { BrushTool } from './brushTool.js';
import { PolygonTool } from './polygonTool.js';
import { SelectTool } from './selectTool.js';
import type { Tool, ToolContext, ToolId } from './toolTypes.js';
import { VertexTool } from './vertexTool.js';

export function createTool(id: ToolId, ctx: ToolContext, ai: AiToolContext): Tool {
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
      return new AiPromptTool(ai);
  }
}
