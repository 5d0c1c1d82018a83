// Which rows of a fixed-row-height list are in (or near) view.
import { type RefObject, useEffect, useState } from 'react';

const OVERSCAN_ROWS = 6;

export function useVirtualRows(
  scrollRef: RefObject<HTMLElement | null>,
  rowHeight: number,
  rowCount: number,
): { first: number; last: number } {
  const [range, setRange] = useState({ first: 0, last: -1 });
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const update = () => {
      const first = Math.max(0, Math.floor(element.scrollTop / rowHeight) - OVERSCAN_ROWS);
      const last = Math.min(rowCount - 1, Math.ceil((element.scrollTop + element.clientHeight) / rowHeight) + OVERSCAN_ROWS);
      setRange((r) => (r.first === first && r.last === last ? r : { first, last }));
    };
    update();
    element.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, [scrollRef, rowHeight, rowCount]);
  return range;
}
