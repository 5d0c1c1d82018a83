// Pointer and wheel input on the canvas: wheel zoom around the cursor, pan
// with Space+drag or the middle button, everything else goes to the active
// tool in image coordinates. Pan and zoom move the stage imperatively and
// commit the view to the store only when the gesture ends.
import Konva from 'konva';
import { type RefObject, useEffect } from 'react';

import { isTyping } from '../actions/isTyping.js';
import { panBy, screenToImage, type ViewTransform, wheelZoomFactor, zoomAround } from '../lib/viewTransform.js';
import { useAppStore } from '../store/appStore.js';
import type { ToolPointer } from '../tools/toolTypes.js';
import { proposalAt } from './proposalHit.js';
import { applyViewImperatively } from './stageView.js';

const WHEEL_COMMIT_MS = 150;
const DOUBLE_CLICK_MS = 400;
const DOUBLE_CLICK_SLOP_PX = 5;
/** How near a box proposal's edge a click still hits it, in screen pixels. */
const PROPOSAL_HIT_PX = 4;

export function useCanvasInput(containerRef: RefObject<HTMLDivElement | null>, stageRef: RefObject<Konva.Stage | null>): void {
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const store = useAppStore;
    let liveView: ViewTransform | null = null; // set while a pan or wheel zoom is not yet committed
    let wheelTimer: ReturnType<typeof setTimeout> | undefined;
    let pan: { pointerId: number; lastX: number; lastY: number } | null = null;
    let spaceDown = false;
    let lastDown = { time: 0, x: 0, y: 0 };

    const currentView = () => liveView ?? store.getState().view;
    const local = (e: { clientX: number; clientY: number }) => {
      const rect = container.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    };
    const moveView = (view: ViewTransform) => {
      liveView = view;
      const stage = stageRef.current;
      if (stage) applyViewImperatively(stage, container, view);
    };
    const commitView = () => {
      if (liveView) store.getState().setView(liveView);
      liveView = null;
    };
    const toolPointer = (e: PointerEvent, clickCount = 1): ToolPointer => {
      const p = local(e);
      const image = screenToImage(currentView(), p.x, p.y);
      return { x: image.x, y: image.y, button: e.button, shift: e.shiftKey, alt: e.altKey, clickCount };
    };
    /** The Transformer's own handles take the press; the tool must not see it. */
    const onTransformerHandle = (e: PointerEvent): boolean => {
      const stage = stageRef.current;
      if (!stage) return false;
      stage.setPointersPositions(e);
      const position = stage.getPointerPosition();
      const shape = position && stage.getIntersection(position);
      return !!shape && shape.getParent() instanceof Konva.Transformer;
    };

    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const p = local(e);
      const delta = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? e.deltaY * 33 : e.deltaY;
      moveView(zoomAround(currentView(), wheelZoomFactor(delta), p.x, p.y));
      clearTimeout(wheelTimer);
      wheelTimer = setTimeout(commitView, WHEEL_COMMIT_MS);
    };

    const onPointerDown = (e: PointerEvent) => {
      container.focus({ preventScroll: true });
      if (e.button === 1 || (e.button === 0 && spaceDown)) {
        e.preventDefault();
        pan = { pointerId: e.pointerId, lastX: e.clientX, lastY: e.clientY };
        container.setPointerCapture(e.pointerId);
        container.classList.add('is-panning');
        return;
      }
      if (!store.getState().currentImage || onTransformerHandle(e)) return;
      const p = local(e);
      const isDouble =
        e.timeStamp - lastDown.time < DOUBLE_CLICK_MS && Math.hypot(p.x - lastDown.x, p.y - lastDown.y) < DOUBLE_CLICK_SLOP_PX;
      lastDown = isDouble ? { time: 0, x: 0, y: 0 } : { time: e.timeStamp, ...p };
      // With the select tool, a click on a proposal under review selects it (proposals are drawn above the annotations).
      const s = store.getState();
      if (e.button === 0 && !e.shiftKey && s.activeTool === 'select' && s.tool.state() === 'idle') {
        const at = toolPointer(e);
        const proposal = proposalAt(s, at.x, at.y, PROPOSAL_HIT_PX / currentView().scale);
        if (proposal) {
          s.selectProposal(proposal.id);
          return;
        }
      }
      container.setPointerCapture(e.pointerId);
      store.getState().tool.onPointerDown(toolPointer(e, isDouble ? 2 : 1));
    };

    const onPointerMove = (e: PointerEvent) => {
      if (pan && e.pointerId === pan.pointerId) {
        moveView(panBy(currentView(), e.clientX - pan.lastX, e.clientY - pan.lastY));
        pan.lastX = e.clientX;
        pan.lastY = e.clientY;
        return;
      }
      const pointer = toolPointer(e);
      store.getState().setCursor({ x: pointer.x, y: pointer.y });
      store.getState().tool.onPointerMove(pointer);
    };

    const onPointerUp = (e: PointerEvent) => {
      if (container.hasPointerCapture(e.pointerId)) container.releasePointerCapture(e.pointerId);
      if (pan && e.pointerId === pan.pointerId) {
        pan = null;
        container.classList.remove('is-panning');
        commitView();
        return;
      }
      store.getState().tool.onPointerUp(toolPointer(e));
    };

    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || isTyping(e.target)) return;
      spaceDown = e.type === 'keydown';
      container.classList.toggle('is-pan-ready', spaceDown);
      if (spaceDown) e.preventDefault();
    };
    // A Space released while another window had focus never reaches us.
    const onWindowBlur = () => {
      spaceDown = false;
      container.classList.remove('is-pan-ready');
    };
    const onLeave = () => store.getState().setCursor(null);
    const noMenu = (e: Event) => e.preventDefault();

    container.addEventListener('wheel', onWheel, { passive: false });
    container.addEventListener('pointerdown', onPointerDown);
    container.addEventListener('pointermove', onPointerMove);
    container.addEventListener('pointerup', onPointerUp);
    container.addEventListener('pointercancel', onPointerUp);
    container.addEventListener('pointerleave', onLeave);
    container.addEventListener('contextmenu', noMenu);
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    window.addEventListener('blur', onWindowBlur);
    return () => {
      clearTimeout(wheelTimer);
      container.removeEventListener('wheel', onWheel);
      container.removeEventListener('pointerdown', onPointerDown);
      container.removeEventListener('pointermove', onPointerMove);
      container.removeEventListener('pointerup', onPointerUp);
      container.removeEventListener('pointercancel', onPointerUp);
      container.removeEventListener('pointerleave', onLeave);
      container.removeEventListener('contextmenu', noMenu);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
      window.removeEventListener('blur', onWindowBlur);
    };
  }, [containerRef, stageRef]);
}
