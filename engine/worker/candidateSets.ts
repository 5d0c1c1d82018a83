// The candidates behind recent candidate sets, kept in the worker so the
// renderer refers to a candidate by id (memory prompt, materialize) and no
// float arrays or full masks ever cross the process boundary.
import { randomUUID } from 'node:crypto';

import { ByteLru } from './byteLru.js';
import type { CandidateMask } from './maskProvider.js';

export interface StoredCandidate {
  /** null for a detection without a mask (a plain detector's box): nothing to materialise. */
  mask: CandidateMask | null;
  score: number | null;
  memory?: Float32Array;
}

export interface StoredCandidateSet {
  id: string;
  modelId: string;
  imageId: number;
  /** The prepared image's key, so a memory prompt is never applied to another image. */
  imageKey: string;
  width: number;
  height: number;
  candidates: StoredCandidate[];
}

// A segmenter's memory is its mask's own low-res logits, so the mask's bytes cover both.
const bytesOf = (set: StoredCandidateSet): number => set.candidates.reduce((n, c) => n + (c.mask?.bytes ?? 0), 0);

/** Recent sets, oldest dropped first once over the byte budget (a "segment everything" set can hold hundreds). */
export class CandidateSetStore {
  private readonly sets: ByteLru<StoredCandidateSet>;

  constructor(limitBytes = 64 * 1024 * 1024) {
    this.sets = new ByteLru(limitBytes);
  }

  add(set: Omit<StoredCandidateSet, 'id'>): StoredCandidateSet {
    const stored = { ...set, id: randomUUID() };
    this.sets.set(stored.id, stored, bytesOf(stored));
    return stored;
  }

  get(id: string): StoredCandidateSet | undefined {
    return this.sets.get(id);
  }

  clear(): void {
    this.sets.clear();
  }
}
