// The low-res logits behind recent candidate sets, kept in the worker so the
// renderer refers to a candidate by id (memory prompt, materialize) and no
// float arrays ever cross the process boundary.
import { randomUUID } from 'node:crypto';
import type { ModelFrame } from '../../inference/preprocess.js';
import type { LowResLogits } from './candidateMasks.js';

export interface StoredCandidateSet {
  id: string;
  modelId: string;
  imageId: number;
  /** The feature key of the image, so a memory prompt is never applied to another image. */
  featureKey: string;
  frame: ModelFrame;
  candidates: { low: LowResLogits; score: number }[];
}

export class CandidateSetStore {
  private readonly sets = new Map<string, StoredCandidateSet>();

  constructor(private readonly capacity = 64) {}

  add(set: Omit<StoredCandidateSet, 'id'>): StoredCandidateSet {
    const stored = { ...set, id: randomUUID() };
    this.sets.set(stored.id, stored);
    for (const key of this.sets.keys()) {
      if (this.sets.size <= this.capacity) break;
      this.sets.delete(key);
    }
    return stored;
  }

  get(id: string): StoredCandidateSet | undefined {
    return this.sets.get(id);
  }

  clear(): void {
    this.sets.clear();
  }
}
