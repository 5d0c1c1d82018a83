// The mask provider for a registry entry's kind: the one place shared worker
// code reaches into a model kind's folder (models/<kind>/provider.ts), so a
// new kind is a folder plus a case here.
import type { ExecutionProviderChoice, ProviderKind } from '../../common/contract/index.js';
import type { FeatureCache } from './featureCache.js';
import type { MaskProvider } from './maskProvider.js';
import { ClassicalProvider } from './models/classical/provider.js';
import { ForegroundProvider } from './models/foreground/provider.js';
import { Sam2Provider } from './models/sam2/provider.js';
import { SegmenterProvider } from './models/segmenter/provider.js';
import { DetectorProvider } from './models/yolo/provider.js';

export interface ProviderSpec {
  id: string;
  dir: string;
  kind: ProviderKind;
  executionProvider: ExecutionProviderChoice;
  cache: FeatureCache;
}

export async function createProvider(spec: ProviderSpec): Promise<MaskProvider> {
  switch (spec.kind) {
    case 'segmenter':
      return SegmenterProvider.load(spec.id, spec.dir, spec.executionProvider, spec.cache);
    case 'classical':
      return new ClassicalProvider(spec.id);
    case 'foreground':
      return ForegroundProvider.load(spec.id, spec.dir, spec.executionProvider);
    case 'sam2':
      return Sam2Provider.load(spec.id, spec.dir, spec.executionProvider, spec.cache);
    case 'detector':
      return DetectorProvider.load(spec.id, spec.dir, spec.executionProvider);
  }
}
