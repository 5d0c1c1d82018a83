// The classical provider's manifest (kind "classical-provider"): built in,
// no weights, so only the shared header (../manifestBase.ts), a description
// and the algorithms it offers; it is listed and chosen like a model.
import { z } from 'zod';

import type { ModelInfo, PromptCapabilities } from '../../../../common/contract/index.js';
import { manifestHeader } from '../manifestBase.js';

export const CLASSICAL_KIND = 'classical-provider';

export const classicalManifestSchema = manifestHeader(CLASSICAL_KIND)
  .extend({
    description: z.string(),
    algorithms: z.array(z.enum(['grabcut', 'watershed', 'flood-fill'])).min(1),
  })
  .strict();

export const CLASSICAL_CAPABILITIES: PromptCapabilities = {
  points: true,
  box: true,
  scribble: true,
  text: false,
  reference: false,
  labels: false,
  wand: true,
  regions: true,
  // No proposals without a prompt: colour and edges alone do not say what an object is.
  everything: false,
};

export function describeClassical(raw: unknown, dir: string, source: ModelInfo['source']): ModelInfo {
  const m = classicalManifestSchema.parse(raw);
  return {
    id: m.id,
    displayName: m.displayName,
    kind: 'classical',
    note: m.description,
    source,
    dir,
    license: m.license,
    problem: null,
    capabilities: CLASSICAL_CAPABILITIES,
  };
}
