// Which model a project starts on when the user has not chosen one for it:
// the best real provider installed, a SAM-family model first (SAM 2, or a
// segmenter with Segment Anything's decoder signature: a SAM / MobileSAM
// export), then the foreground model, then the classical tools. The built-in
// demo model (trained on synthetic shapes) is chosen only for the demo
// project, or by hand. Pure: decided from the registry's entries.
import type { ModelInfo } from '../common/contract/index.js';
import { DEFAULT_MODEL_ID } from './settingsFile.js';

/** The built-in model trained on synthetic shapes: the demo project's default, no one else's. */
export const DEMO_MODEL_ID = DEFAULT_MODEL_ID;

/**
 * A SAM-family model: SAM 2, or a SAM-signature segmenter that is not the
 * demo model. Such exports take points, boxes and scribbles and carry no
 * text encoder, reference input or class embeddings (the demo model has all three).
 */
export function isSamFamily(model: ModelInfo): boolean {
  if (model.kind === 'sam2') return true;
  const c = model.capabilities;
  return model.kind === 'segmenter' && model.id !== DEMO_MODEL_ID && c.points && c.box && !c.text && !c.reference && !c.labels;
}

const usable = (m: ModelInfo): boolean => m.problem === null;

/** Rank of a model as a default for real photographs; lower is better, null when never a default. */
function rank(model: ModelInfo): number | null {
  if (isSamFamily(model)) return 0;
  if (model.kind === 'foreground') return 1;
  if (model.kind === 'classical') return 2;
  return null;
}

/**
 * The default model for a project: for the demo project the demo model (when
 * usable), otherwise the best real provider in registry order; the demo model
 * only when nothing else is usable. Null when no model at all can be used.
 */
export function defaultModelFor(models: readonly ModelInfo[], project: { demo: boolean }): string | null {
  const demo = models.find((m) => m.id === DEMO_MODEL_ID && usable(m));
  if (project.demo && demo) return demo.id;
  let best: ModelInfo | null = null;
  let bestRank = Infinity;
  for (const m of models) {
    const r = usable(m) ? rank(m) : null;
    if (r !== null && r < bestRank) {
      best = m;
      bestRank = r;
    }
  }
  return best?.id ?? demo?.id ?? models.find(usable)?.id ?? null;
}
