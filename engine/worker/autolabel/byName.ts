// Auto-label by name (APE's "every category in one pass"), on a promptable
// segmenter with a text encoder and class embeddings:
//  - each label's name is a text prompt; the model answers with the region
//    the name denotes (all instances of a category phrase, trained so);
//  - the whole-image proposals (a grid of clicks) are the instances; each is
//    matched to the label whose region covers it, and scored by its predicted
//    IoU times that cover, with a bonus when its class embedding agrees;
//  - parts of a label's region that no proposal explains become instances too.
// Text embeddings are computed once per label and cached with the model, so a
// job builds its label batch on its first image. This model's decoder takes
// one text prompt per run: labels are a loop, timed per label.
import type { EverythingParams, WorkerImage, WorkerLabel } from '../../protocol.js';
import type { MaskCrop } from '../candidateMasks.js';
import { cosine } from '../labels.js';
import type { MaskProvider, PreparedImage, ProviderCandidate } from '../maskProvider.js';
import { bestCandidate } from './bestCandidate.js';
import { connectedParts, coverage } from './cropMath.js';
import { mergeStuff, removeDuplicates } from './dedupe.js';
import type { ScoredMask } from './types.js';

export interface NamedLabel extends WorkerLabel {
  stuff: boolean;
}

export interface ByNameParams {
  labels: readonly NamedLabel[];
  /** Every label of the project: a proposal goes to its nearest name among all of them. */
  vocabulary: readonly WorkerLabel[];
  minScore: number;
  nmsIoU: number;
  everything: EverythingParams;
}

/** A proposal must lie this much inside a label's text region to be one of its instances. */
const MIN_COVER = 0.6;
/** A region part smaller than this share of the image is noise, not an object. */
const MIN_PART_FRACTION = 0.0005;

export async function proposeByName(
  provider: MaskProvider,
  image: WorkerImage,
  prepared: PreparedImage,
  params: ByNameParams,
  timing: { perLabelMs: number[] },
  /** Awaited between model runs: a background job yields to clicks there. */
  checkpoint: () => Promise<void>,
): Promise<ScoredMask[]> {
  const noProgress = () => undefined;
  const paused = { ms: 0 };
  /** The checkpoint, timed: clicks run there are not this job's time. */
  const pause = async () => {
    const started = performance.now();
    await checkpoint();
    paused.ms += performance.now() - started;
  };
  const everything = await provider.everything(image, prepared, params.everything, noProgress, pause);
  const instances: { candidate: ProviderCandidate; crop: MaskCrop }[] = [];
  for (const candidate of everything.candidates) {
    await pause();
    instances.push({ candidate, crop: candidate.mask.crop() });
  }
  const nearest = await nearestNames(
    provider,
    instances.map((i) => i.candidate),
    params.vocabulary,
  );
  const found: ScoredMask[] = [];
  const minPart = MIN_PART_FRACTION * prepared.width * prepared.height;
  const labelInstances = async (label: NamedLabel): Promise<ScoredMask[]> => {
    await pause();
    const result = await provider.segment(image, prepared, { clicks: [], scribbles: [], text: label.name }, {}, undefined, noProgress);
    const best = bestCandidate(result);
    if (!best || (best.score ?? 0) < params.minScore) return [];
    await pause();
    const region = best.mask.crop();
    if (region.area === 0) return [];
    const regionScore = best.score ?? 0;
    if (label.stuff) return [{ crop: region, labelId: label.labelId, score: regionScore }];
    const mine: ScoredMask[] = [];
    for (const [i, { candidate, crop }] of instances.entries()) {
      if (i % 8 === 0) await pause();
      const cover = coverage(crop, region);
      if (cover < MIN_COVER) continue;
      const agrees = nearest[i] === label.labelId ? 1 : 0.8;
      mine.push({ crop, labelId: label.labelId, score: (candidate.score ?? 0) * cover * agrees * Math.min(1, regionScore + 0.1) });
    }
    await pause();
    for (const part of connectedParts(region, minPart)) {
      const explained = mine.reduce((sum, m) => sum + coverage(m.crop, part) * m.crop.area, 0) / part.area;
      if (explained < 0.5) mine.push({ crop: part, labelId: label.labelId, score: regionScore * 0.9 });
    }
    return mine.filter((m) => m.score >= params.minScore);
  };
  for (const label of params.labels) {
    const started = performance.now();
    const before = paused.ms;
    found.push(...(await labelInstances(label)));
    // Time per label without the clicks run at its checkpoints.
    timing.perLabelMs.push(performance.now() - started - (paused.ms - before));
  }
  const stuff = new Set(params.labels.filter((l) => l.stuff).map((l) => l.labelId));
  return mergeStuff(removeDuplicates(found, params.nmsIoU), stuff);
}

/** For each proposal, the id of the nearest label name by class embedding (null without one). */
async function nearestNames(
  provider: MaskProvider,
  candidates: readonly ProviderCandidate[],
  vocabulary: readonly WorkerLabel[],
): Promise<(string | null)[]> {
  if (!provider.capabilities.labels || vocabulary.length === 0) return candidates.map(() => null);
  const names = await Promise.all(vocabulary.map(async (l) => ({ labelId: l.labelId, embedding: await provider.embedText(l.name) })));
  return candidates.map((c) => {
    if (!c.classEmbedding) return null;
    let best: string | null = null;
    let bestScore = -Infinity;
    for (const n of names) {
      const s = cosine(c.classEmbedding, n.embedding);
      if (s > bestScore) [best, bestScore] = [n.labelId, s];
    }
    return best;
  });
}
