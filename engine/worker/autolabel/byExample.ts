// Auto-label by example (SEEM's reference region / Painter's in-context
// prompt): the user's accepted annotations of a label, from any images, are
// pooled into one reference embedding (as the reference prompt pools a
// region), and the decoder finds a matching region in each image. Every
// other instance is a whole-image proposal whose class embedding is close to
// the examples' own (each example's mask decoded from its box on its image).
import type { EverythingParams, WorkerImage, WorkerRefRegion } from '../../protocol.js';
import type { MaskCrop } from '../candidateMasks.js';
import { cosine } from '../labels.js';
import type { MaskProvider, PreparedImage, ProviderCandidate } from '../maskProvider.js';
import { bestCandidate } from './bestCandidate.js';
import { mergeStuff, removeDuplicates } from './dedupe.js';
import type { ScoredMask } from './types.js';

export interface ExampleGroup {
  labelId: string;
  stuff: boolean;
  /** The examples' regions: each a box on its own image. */
  regions: WorkerRefRegion[];
}

export interface ByExampleParams {
  groups: readonly ExampleGroup[];
  minScore: number;
  nmsIoU: number;
  everything: EverythingParams;
}

/** Below this cosine to the examples' class embedding a proposal is something else. */
const MIN_SIMILARITY = 0.5;

export async function proposeByExample(
  provider: MaskProvider,
  image: WorkerImage,
  prepared: PreparedImage,
  params: ByExampleParams,
  examplesEmbedding: (group: ExampleGroup) => Promise<Float32Array | null>,
  timing: { perLabelMs: number[] },
  /** Awaited between model runs: a background job yields to clicks there. */
  checkpoint: () => Promise<void>,
): Promise<ScoredMask[]> {
  const noProgress = () => undefined;
  const everything = provider.capabilities.labels
    ? await provider.everything(image, prepared, params.everything, noProgress, checkpoint)
    : null;
  const instances: { candidate: ProviderCandidate; crop: MaskCrop }[] = [];
  for (const candidate of everything?.candidates ?? []) {
    await checkpoint();
    instances.push({ candidate, crop: candidate.mask.crop() });
  }
  const found: ScoredMask[] = [];
  for (const group of params.groups) {
    await checkpoint();
    const started = performance.now();
    const target = await examplesEmbedding(group);
    const result = await provider.segment(
      image,
      prepared,
      { clicks: [], scribbles: [], reference: { regions: group.regions } },
      {},
      undefined,
      noProgress,
    );
    const best = bestCandidate(result);
    await checkpoint();
    if (best && (best.score ?? 0) >= params.minScore) {
      const similarity = target && best.classEmbedding ? Math.max(0, cosine(best.classEmbedding, target)) : 1;
      found.push({ crop: best.mask.crop(), labelId: group.labelId, score: (best.score ?? 0) * similarity });
    }
    if (target)
      for (const { candidate, crop } of instances) {
        if (!candidate.classEmbedding) continue;
        const similarity = cosine(candidate.classEmbedding, target);
        if (similarity < MIN_SIMILARITY) continue;
        found.push({ crop, labelId: group.labelId, score: (candidate.score ?? 0) * similarity });
      }
    timing.perLabelMs.push(performance.now() - started);
  }
  const kept = removeDuplicates(
    found.filter((f) => f.score >= params.minScore && f.crop.area > 0),
    params.nmsIoU,
  );
  return mergeStuff(kept, new Set(params.groups.filter((g) => g.stuff).map((g) => g.labelId)));
}

/** The mean class embedding of the examples' own masks (each decoded from its box on its image); null when the model has none. */
export async function exampleClassEmbedding(provider: MaskProvider, group: ExampleGroup): Promise<Float32Array | null> {
  if (!provider.capabilities.labels) return null;
  const sum: number[] = [];
  let count = 0;
  for (const region of group.regions) {
    if (!region.box) continue;
    const prepared = await provider.prepare(region.image);
    const result = await provider.segment(
      region.image,
      prepared,
      { clicks: [], scribbles: [], box: region.box },
      {},
      undefined,
      () => undefined,
    );
    const best = bestCandidate(result);
    if (!best?.classEmbedding) continue;
    best.classEmbedding.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
    count++;
  }
  return count === 0 ? null : Float32Array.from(sum, (v) => v / count);
}
