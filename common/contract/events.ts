import type { EngineStatus, FeatureState } from './ai.js';
// Events pushed from main to the renderer (no reply expected).
export interface EventMap {
  /** Long work (import, export, scans): `done` of `total`, total 0 when unknown. */
  progress: { taskId: string; title: string; done: number; total: number; finished: boolean };
  /** The open project changed outside the renderer's own requests (e.g. a CLI import). */
  'project.changed': { reason: string };
  /** The inference engine's state changed (worker, provider, model, cache, encoding). */
  'ai.status': EngineStatus;
  /** An image's features for the current model changed state (list marks, "encoding…"). */
  'ai.features': { imageId: number; modelId: string; state: FeatureState; message: string | null };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['progress', 'project.changed', 'ai.status', 'ai.features'];
