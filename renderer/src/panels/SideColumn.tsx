// The right column: a pinned area that never scrolls away (the AI candidate
// and the selected proposal, with their actions), then the panels as panes.
// A click on a pane's heading folds it to that heading; open panes share the
// height left, each scrolling on its own, and the bar between two open panes
// drags their share; a pane never takes more than its content needs, so the
// room a short one leaves goes to the others. Which panes are open and their
// shares are kept in localStorage, so the column stays as the user left it.
import '../styles/sideColumn.css';

import { type ReactNode, type RefObject, useCallback, useEffect, useRef, useState } from 'react';

import { CandidateBlock } from './CandidateBlock.js';
import { ProposalActions } from './ProposalActions.js';

export interface Pane {
  id: string;
  /** The pane's own panel: its first heading (h2) is the fold toggle. */
  content: ReactNode;
  /** Its share of the height when first shown. */
  weight?: number;
}

interface Layout {
  closed: string[];
  weights: Record<string, number>;
}

const STORAGE_KEY = 'promptlabel.sideColumn';
/** The least height an open pane keeps while dragging, in pixels. */
const MIN_PANE_PX = 56;

function readLayout(): Layout {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Layout>;
    const closed = Array.isArray(parsed.closed) ? parsed.closed.filter((id): id is string => typeof id === 'string') : [];
    const weights = Object.fromEntries(
      Object.entries(parsed.weights ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0),
    );
    return { closed, weights };
  } catch {
    return { closed: [], weights: {} };
  }
}

function saveLayout(layout: Layout): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or blocked: the layout just is not remembered.
  }
}

/** A click on the heading itself (not on a control inside it) folds or unfolds. */
const isHeadingClick = (target: EventTarget, pane: HTMLElement): boolean => {
  if (!(target instanceof Element) || target.closest('button, select, input, label, a, output')) return false;
  const heading = target.closest('h2');
  return heading !== null && pane.contains(heading) && heading === pane.querySelector('h2');
};

/** The height a pane's panel needs to show all it holds (its laid-out children, not what is fixed over the page). */
function contentHeight(slot: HTMLElement): number | null {
  const section = slot.querySelector<HTMLElement>('.side-pane > *');
  if (!section) return null;
  const top = section.getBoundingClientRect().top - section.scrollTop;
  let bottom = top;
  for (const child of section.children) {
    const style = window.getComputedStyle(child);
    if (style.position === 'fixed' || style.position === 'absolute' || style.display === 'none') continue;
    bottom = Math.max(bottom, child.getBoundingClientRect().bottom + parseFloat(style.marginBottom || '0'));
  }
  const padding = parseFloat(window.getComputedStyle(section).paddingBottom || '0');
  // The splitter below it, and a pixel against rounding.
  const splitter = slot.querySelector<HTMLElement>(':scope > .side-splitter')?.offsetHeight ?? 0;
  return Math.ceil(bottom - top + padding + splitter + 1);
}

/**
 * Each pane's content height, kept current as panels change: a pane is never
 * taller than what it holds, so a short one (no job yet, no proposals) hands
 * the rest of its share to the others (flexbox gives a capped item's space away).
 */
function useContentHeights(
  columnRef: RefObject<HTMLElement | null>,
  slots: RefObject<Map<string, HTMLDivElement>>,
): Record<string, number> {
  const [heights, setHeights] = useState<Record<string, number>>({});
  useEffect(() => {
    const column = columnRef.current;
    if (!column) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const next: Record<string, number> = {};
      for (const [id, slot] of slots.current) {
        const height = contentHeight(slot);
        if (height !== null) next[id] = height;
      }
      setHeights((previous) => {
        const same =
          Object.keys(next).length === Object.keys(previous).length && Object.entries(next).every(([id, h]) => previous[id] === h);
        return same ? previous : next;
      });
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(measure);
    };
    const mutations = new MutationObserver(schedule);
    mutations.observe(column, { childList: true, subtree: true, characterData: true });
    const resizes = new ResizeObserver(schedule);
    resizes.observe(column);
    schedule();
    return () => {
      cancelAnimationFrame(frame);
      mutations.disconnect();
      resizes.disconnect();
    };
  }, [columnRef, slots]);
  return heights;
}

export function SideColumn({ panes }: { panes: readonly Pane[] }) {
  const [layout, setLayout] = useState(readLayout);
  const paneRefs = useRef(new Map<string, HTMLDivElement>());
  const columnRef = useRef<HTMLElement>(null);
  const contentHeights = useContentHeights(columnRef, paneRefs);
  const update = useCallback((next: Layout) => {
    setLayout(next);
    saveLayout(next);
  }, []);
  const isOpen = (id: string) => !layout.closed.includes(id);
  const weightOf = (pane: Pane) => layout.weights[pane.id] ?? pane.weight ?? 1;

  const startDrag = (upper: string, lower: string) => (e: React.PointerEvent<HTMLDivElement>) => {
    const a = paneRefs.current.get(upper);
    const b = paneRefs.current.get(lower);
    if (!a || !b) return;
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    // Every open pane's share becomes its height now, so moving two leaves the others exactly where they are.
    const heights: Record<string, number> = {};
    for (const [id, element] of paneRefs.current) if (isOpen(id)) heights[id] = element.getBoundingClientRect().height;
    const startY = e.clientY;
    const [ha, hb] = [heights[upper]!, heights[lower]!];
    let weights = { ...layout.weights, ...heights };
    const move = (ev: PointerEvent) => {
      // Neither below its least height, nor taller than its content (the room would go to the other panes, not to it).
      const growA = (contentHeights[upper] ?? Infinity) - ha;
      const growB = (contentHeights[lower] ?? Infinity) - hb;
      const dy = Math.max(MIN_PANE_PX - ha, -growB, Math.min(hb - MIN_PANE_PX, growA, ev.clientY - startY));
      weights = { ...weights, [upper]: ha + dy, [lower]: hb - dy };
      setLayout((l) => ({ ...l, weights }));
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
      update({ ...layout, weights });
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  };

  const openIds = panes.filter((p) => isOpen(p.id)).map((p) => p.id);
  return (
    <aside ref={columnRef} className="panel side-panel" data-testid="side-column">
      <div className="side-pinned" data-testid="side-pinned">
        <ProposalActions />
        <CandidateBlock />
      </div>
      <div className="side-panes">
        {panes.map((pane) => {
          const open = isOpen(pane.id);
          const nextOpen = open ? openIds[openIds.indexOf(pane.id) + 1] : undefined;
          return (
            <div
              key={pane.id}
              ref={(element) => {
                if (element) paneRefs.current.set(pane.id, element);
                else paneRefs.current.delete(pane.id);
              }}
              className={`side-pane-slot${open ? ' is-open' : ''}`}
              style={open ? { flex: `${weightOf(pane)} 1 0px`, maxHeight: contentHeights[pane.id] } : undefined}
            >
              <div
                className={`side-pane${open ? '' : ' is-collapsed'}`}
                data-testid="side-pane"
                data-pane={pane.id}
                data-open={open ? '1' : '0'}
                onClick={(e) => {
                  if (!isHeadingClick(e.target, e.currentTarget)) return;
                  update({ ...layout, closed: open ? [...layout.closed, pane.id] : layout.closed.filter((id) => id !== pane.id) });
                }}
              >
                {pane.content}
              </div>
              {nextOpen !== undefined && (
                <div
                  className="side-splitter"
                  role="separator"
                  aria-orientation="horizontal"
                  data-testid="side-splitter"
                  title="Drag to share the height"
                  onPointerDown={startDrag(pane.id, nextOpen)}
                />
              )}
            </div>
          );
        })}
      </div>
    </aside>
  );
}
