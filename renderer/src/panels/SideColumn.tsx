// The right column: a pinned area that never scrolls away (the AI candidate
// and the selected proposal, with their actions), then the panels as panes.
// A click on a pane's heading folds it to that heading; open panes share the
// height left, each scrolling on its own, and the bar between two open panes
// drags their share. Which panes are open and their shares are kept in
// localStorage, so the column stays as the user left it.
import '../styles/sideColumn.css';

import { type ReactNode, useCallback, useRef, useState } from 'react';

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

export function SideColumn({ panes }: { panes: readonly Pane[] }) {
  const [layout, setLayout] = useState(readLayout);
  const paneRefs = useRef(new Map<string, HTMLDivElement>());
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
      const dy = Math.max(MIN_PANE_PX - ha, Math.min(hb - MIN_PANE_PX, ev.clientY - startY));
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
    <aside className="panel side-panel" data-testid="side-column">
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
              style={open ? { flex: `${weightOf(pane)} 1 0px` } : undefined}
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
