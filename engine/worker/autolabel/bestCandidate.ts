import type { ProviderCandidate, ProviderResult } from '../maskProvider.js';

/** The provider's own pick, else the highest score: a job keeps one mask per prompt. */
export function bestCandidate(result: ProviderResult): ProviderCandidate | undefined {
  if (result.best !== null) return result.candidates[result.best];
  let best: ProviderCandidate | undefined;
  for (const c of result.candidates) if (!best || (c.score ?? 0) > (best.score ?? 0)) best = c;
  return best;
}
