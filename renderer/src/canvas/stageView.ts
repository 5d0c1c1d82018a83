// Applies a view transform to the Konva stage and to the container's data-*
// attributes directly, so pan and zoom never wait for a React render.
import type Konva from 'konva';

import type { ViewTransform } from '../lib/viewTransform.js';

export function applyViewImperatively(stage: Konva.Stage, container: HTMLElement, view: ViewTransform): void {
  stage.scale({ x: view.scale, y: view.scale });
  stage.position({ x: view.offsetX, y: view.offsetY });
  stage.batchDraw();
  container.dataset.scale = String(view.scale);
  container.dataset.offsetX = String(view.offsetX);
  container.dataset.offsetY = String(view.offsetY);
}
