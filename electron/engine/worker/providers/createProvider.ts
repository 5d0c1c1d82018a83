// The mask provider for a registry entry's kind.
import { AppError, type ExecutionProviderChoice, type ProviderKind } from '../../../../common/contract/index.js';
import type { FeatureCache } from '../featureCache.js';
import { ClassicalProvider } from './classicalProvider.js';
import type { MaskProvider } from './maskProvider.js';
import { SegmenterProvider } from './segmenterProvider.js';

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
    default:
      throw new AppError('unsupported', `Providers of kind "${spec.kind}" cannot be loaded by this version.`);
  }
}
