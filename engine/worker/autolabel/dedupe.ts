// Duplicates among one label's proposals: greedy by score, a mask is dropped
// when it overlaps a kept one of the same label above the IoU threshold.
import { cropIoU, unionOf } from './cropMath.js';
import type { ScoredMask } from './types.js';

export function removeDuplicates(masks: readonly ScoredMask[], iouThreshold: number): ScoredMask[] {
  const kept: ScoredMask[] = [];
  for (const mask of [...masks].sort((a, b) => b.score - a.score)) {
    if (mask.crop.area === 0) continue;
    if (kept.every((k) => k.labelId !== mask.labelId || cropIoU(k.crop, mask.crop) <= iouThreshold)) kept.push(mask);
  }
  return kept;
}

/** Stuff (sky, grass): every pixel of the label in one region, scored by its best part. */
export function mergeStuff(masks: readonly ScoredMask[], stuffLabelIds: ReadonlySet<string>): ScoredMask[] {
  const out: ScoredMask[] = [];
  const merged = new Map<string, ScoredMask[]>();
  for (const mask of masks) {
    if (mask.labelId !== null && stuffLabelIds.has(mask.labelId)) merged.set(mask.labelId, [...(merged.get(mask.labelId) ?? []), mask]);
    else out.push(mask);
  }
  for (const [labelId, parts] of merged) {
    const crop = unionOf(parts.map((p) => p.crop));
    if (crop.area > 0) out.push({ crop, labelId, score: Math.max(...parts.map((p) => p.score)) });
  }
  return out;
}
