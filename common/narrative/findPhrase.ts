// Phrase -> box as the caption panel's Find does it, written once for the
// renderer and for eval:captions (which measures exactly this): the caption
// head's point for the phrase as a click; the masks of that click, ranked by
// how well the phrase describes each one's box (the caption head's box ->
// caption read backwards, as Mao et al. 2016 rank regions with a speaker),
// or, without that ranking, the preselected mask (the best-scored one with
// pixels when that one is empty). The phrase as a text prompt when the head
// gave no point (no head, or a word it does not know) or no mask under its
// point has pixels.
import type { CandidateSet, MaskCandidate, PromptSetInput } from '../contract/index.js';

export interface FoundPhrase {
  /** Where the caption head found the phrase (image pixels); null when the text prompt did. */
  point: { x: number; y: number } | null;
  found: CandidateSet;
  /** The mask whose box answers the phrase. */
  best: MaskCandidate;
}

export interface PhraseFinder {
  /** The caption head's point for the phrase, or null when there is none to ask or it does not know a word. */
  locate: () => Promise<{ x: number; y: number } | null>;
  segment: (prompts: PromptSetInput) => Promise<CandidateSet>;
  /** How well the phrase describes each box, x0, y0, x1, y1 (ai.phraseScores' scores); absent when there is no caption head to ask. */
  describes?: (boxes: [number, number, number, number][]) => Promise<number[]>;
  /** Whether the model takes text prompts. */
  text: boolean;
}

/** The phrase's mask, or null when nothing with pixels was found. */
export async function findPhrase(phrase: string, finder: PhraseFinder): Promise<FoundPhrase | null> {
  const point = await finder.locate();
  if (point) {
    const found = await finder.segment({ clicks: [{ x: point.x, y: point.y, positive: true }], scribbles: [] });
    const best = await described(found, finder.describes);
    if (best) return { point, found, best };
  }
  if (!finder.text) return null;
  const found = await finder.segment({ clicks: [], scribbles: [], text: phrase });
  const best = withPixels(found);
  return best ? { point: null, found, best } : null;
}

/** The mask with pixels the phrase describes best, or withPixels' choice when there is nothing to rank or no one to ask. */
async function described(found: CandidateSet, describes: PhraseFinder['describes']): Promise<MaskCandidate | undefined> {
  const ranked = found.candidates.filter(hasBox);
  if (!describes || ranked.length < 2) return withPixels(found);
  const scores = await describes(ranked.map(({ box: b }) => [b.x, b.y, b.x + b.w, b.y + b.h]));
  let best = 0;
  for (let i = 1; i < ranked.length; i++) if (scores[i]! > scores[best]!) best = i;
  return ranked[best];
}

/** The preselected candidate, or the best-scored one with pixels when that one is empty; undefined when all are. */
function withPixels(found: CandidateSet): MaskCandidate | undefined {
  const picked = found.candidates[found.best];
  if (picked && hasBox(picked)) return picked;
  return found.candidates.filter(hasBox).sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0];
}

function hasBox(c: MaskCandidate): boolean {
  return c.box.w > 0 && c.box.h > 0;
}
