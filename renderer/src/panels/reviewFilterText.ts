// The review filter as the filter bar reads and shows it: a typed score bound,
// and the conditions only the dataset view sets (a size range, a number of
// annotations) as removable chips.
import type { ReviewFilter } from '../../../common/contract/index.js';

/** A score bound typed as 0–1 (or a percentage above 1); undefined when empty; null when not a score. */
export function parseScore(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) return null;
  const score = value > 1 ? value / 100 : value;
  return score <= 1 ? score : null;
}

/** The conditions only the dataset view sets, as removable chips. */
export function chipsOf(filter: ReviewFilter): { text: string; clear: Partial<ReviewFilter> }[] {
  const chips: { text: string; clear: Partial<ReviewFilter> }[] = [];
  if (filter.minArea !== undefined || filter.maxArea !== undefined) {
    const from = filter.minArea ?? 0;
    chips.push({
      text: filter.maxArea === undefined ? `area ≥ ${from} px²` : `area ${from}–${filter.maxArea} px²`,
      clear: { minArea: undefined, maxArea: undefined },
    });
  }
  if (filter.minAnnotations !== undefined || filter.maxAnnotations !== undefined) {
    const from = filter.minAnnotations ?? 0;
    const to = filter.maxAnnotations;
    chips.push({
      text: to === undefined ? `≥ ${from} annotations` : from === to ? `${from} annotations` : `${from}–${to} annotations`,
      clear: { minAnnotations: undefined, maxAnnotations: undefined },
    });
  }
  return chips;
}
