// A model folder whose manifest cannot be used, as the registry lists it:
// named after its folder, able to take no prompt, with the reason. Shared by
// every kind's describe function (models/<kind>/manifest.ts).
import { basename } from 'node:path';

import type { ModelInfo, PromptCapabilities } from '../../../common/contract/index.js';

export const NO_CAPABILITIES: PromptCapabilities = { points: false, box: false, scribble: false, text: false, reference: false, labels: false, wand: false, regions: false, everything: false };

export function unusableModel(dir: string, kind: ModelInfo['kind'], source: ModelInfo['source'], error: unknown): ModelInfo {
  const reason = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
  const folder = basename(dir);
  return {
    id: folder,
    displayName: folder,
    kind,
    note: null,
    source,
    dir,
    license: 'unknown',
    problem: `manifest.json is not usable: ${reason}`,
    capabilities: NO_CAPABILITIES,
  };
}
