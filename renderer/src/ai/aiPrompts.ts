// The AI prompt set being built on the canvas and what the UI derives from it.
// Pure: no store, no API, so it is unit-tested directly.
import type {
  CandidateSet,
  ClickPromptInput,
  Label,
  MaskCandidate,
  ModelInfo,
  PromptCapabilities,
  PromptSetInput,
  ProviderKind,
  ReferencePromptInput,
  ScribblePromptInput,
  SegmentOptions,
} from '../../../common/contract/index.js';
import type { Corners } from '../lib/corners.js';

export interface PromptDraft {
  clicks: readonly ClickPromptInput[];
  box: Corners | null;
  scribbles: readonly ScribblePromptInput[];
  text: string | null;
  reference: ReferencePromptInput | null;
}

export const EMPTY_PROMPTS: PromptDraft = { clicks: [], box: null, scribbles: [], text: null, reference: null };

export type PromptKind = 'points' | 'box' | 'scribble' | 'text' | 'reference';

export const PROMPT_KIND_NAMES: Record<PromptKind, string> = {
  points: 'clicks',
  box: 'boxes',
  scribble: 'scribbles',
  text: 'text prompts',
  reference: 'reference regions',
};

export function promptKinds(p: PromptDraft): PromptKind[] {
  const kinds: PromptKind[] = [];
  if (p.clicks.length > 0) kinds.push('points');
  if (p.box) kinds.push('box');
  if (p.scribbles.length > 0) kinds.push('scribble');
  if (p.text !== null) kinds.push('text');
  if (p.reference) kinds.push('reference');
  return kinds;
}

export const hasPrompts = (p: PromptDraft): boolean => promptKinds(p).length > 0;

/** Everything the panel greys out per provider: the prompt kinds and the tools beside them. */
export type CapabilityKind = PromptKind | 'wand' | 'regions' | 'everything';

/** What a provider lacking the capability cannot do, after its name. */
const MISSING_CAPABILITY: Record<Exclude<CapabilityKind, PromptKind>, string> = {
  wand: 'has no magic wand (flood fill by colour)',
  regions: 'does not split an image by scribbles in several regions',
  everything: 'proposes nothing without a prompt (no "segment everything")',
};

/** Why a model cannot take this kind of prompt or tool (tooltip, toast), or null when it can. */
export function capabilityProblem(kind: CapabilityKind, capabilities: PromptCapabilities | undefined, modelName: string): string | null {
  if (!capabilities) return 'No AI model is loaded.';
  if (capabilities[kind]) return null;
  return kind === 'wand' || kind === 'regions' || kind === 'everything'
    ? `${modelName} ${MISSING_CAPABILITY[kind]}.`
    : `${modelName} does not take ${PROMPT_KIND_NAMES[kind]}.`;
}

/** The magic wand is on and the current provider has one. */
export const wandActive = (wandMode: boolean, model: ModelInfo | undefined): boolean => wandMode && model?.capabilities.wand === true;

/** The current provider splits an image by scribbles in several regions (watershed). */
export const regionsOffered = (model: ModelInfo | undefined): boolean => model?.capabilities.regions === true;

/** The "segment everything" action's name: a foreground model proposes the foreground of the whole image. */
export function everythingActionName(kind: ProviderKind | undefined): string {
  return kind === 'foreground' ? 'Foreground of whole image' : 'Segment everything';
}

/** The request's prompt set, or null when there is nothing to send. */
export function toPromptSet(p: PromptDraft): PromptSetInput | null {
  if (!hasPrompts(p)) return null;
  return {
    clicks: p.clicks.map((c) => ({ ...c })),
    scribbles: p.scribbles.map((s) => ({
      points: s.points.map(([x, y]) => [x, y] as [number, number]),
      positive: s.positive,
      ...(s.region !== undefined ? { region: s.region } : {}),
    })),
    ...(p.box ? { box: [...p.box] as Corners } : {}),
    ...(p.text !== null ? { text: p.text } : {}),
    ...(p.reference ? { reference: p.reference } : {}),
  };
}

/** Scribble regions offered for watershed (Shift+1..4). */
export const REGION_COUNT = 4;
/** Magic-wand tolerance the slider starts at (0–255 per channel; the slider covers 0–100, beyond which most photos flood whole). */
export const DEFAULT_WAND_TOLERANCE = 24;
export const MAX_WAND_TOLERANCE = 100;

/** Distinct scribble regions in the draft (a scribble without one is region 0). */
export function regionCount(scribbles: readonly ScribblePromptInput[]): number {
  return new Set(scribbles.map((s) => s.region ?? 0)).size;
}

export interface SegmentPayload {
  prompts: PromptSetInput;
  options?: SegmentOptions;
}

/**
 * What an `ai.segment` request carries for the draft. With the magic wand on,
 * the clicks are fill seeds (Alt-clicks cut fills out), the box only bounds
 * the fill (`options.within`), and nothing is sent before a positive click;
 * scribbles, text and reference take no part in a fill.
 */
export function segmentPayload(p: PromptDraft, wand: { tolerance: number } | null): SegmentPayload | null {
  if (!wand) {
    const prompts = toPromptSet(p);
    return prompts ? { prompts } : null;
  }
  if (!p.clicks.some((c) => c.positive)) return null;
  return {
    prompts: { clicks: p.clicks.map((c) => ({ ...c })), scribbles: [] },
    options: { tolerance: wand.tolerance, ...(p.box ? { within: [...p.box] as Corners } : {}) },
  };
}

/** A wand tolerance from the slider: an integer in 0..MAX_WAND_TOLERANCE. */
export function clampTolerance(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_WAND_TOLERANCE;
  return Math.max(0, Math.min(MAX_WAND_TOLERANCE, Math.round(value)));
}

/**
 * The label a candidate would get: its best guess when that label still
 * exists in the project and the guess stands out (`labelConfident`; a
 * provider that does not say is trusted), else `fallback` (the active label,
 * as manual tools use): a guess that ties with others is shown, not chosen.
 */
export function preselectedLabel(candidate: MaskCandidate | undefined, labels: readonly Label[], fallback: string | null): string | null {
  if (candidate?.labelConfident === false) return fallback;
  const guess = candidate?.labels.find((g) => labels.some((l) => l.id === g.labelId));
  return guess?.labelId ?? fallback;
}

/** "IoU 0.91" (the decoder's estimate) or "conf. 0.98" (the foreground model's confidence); '' without a score. */
export function scoreText(set: CandidateSet, candidate: MaskCandidate): string {
  if (candidate.score === null || set.scoreKind === null) return '';
  return `${set.scoreKind === 'confidence' ? 'conf.' : 'IoU'} ${candidate.score.toFixed(2)}`;
}

/** "2/3 · IoU 0.91": which candidate is shown and how good the model thinks it is. */
export function candidateInfo(set: CandidateSet | null, position: number): string {
  const candidate = set?.candidates[position];
  if (!set || !candidate) return '';
  const score = scoreText(set, candidate);
  return `${position + 1}/${set.candidates.length}${score ? ` · ${score}` : ''}`;
}

/** Position of the candidate to preselect: the engine's `best`, by its index field. */
export function bestPosition(set: CandidateSet): number {
  const position = set.candidates.findIndex((c) => c.index === set.best);
  return position === -1 ? 0 : position;
}

/** Steps through the candidates, wrapping around. */
export function cyclePosition(position: number, count: number, delta: number): number {
  if (count <= 0) return 0;
  return (((position + delta) % count) + count) % count;
}

/** Annotation scores live in [0, 1]; predicted IoU may stray slightly outside. */
export const clampScore = (score: number | null): number | null =>
  score === null ? null : Number.isFinite(score) ? Math.max(0, Math.min(1, score)) : 0;

/**
 * Folds feature states from the engine into the list's map; returns the same
 * map when nothing changed, so rows subscribed to it do not re-render.
 */
export function mergeFeatureStates<State>(
  map: ReadonlyMap<number, State>,
  states: Record<number, State> | Iterable<[number, State]>,
): ReadonlyMap<number, State> {
  const entries: Iterable<[number, State]> =
    Symbol.iterator in states ? states : Object.entries(states).map(([id, state]): [number, State] => [Number(id), state]);
  let next: Map<number, State> | null = null;
  for (const [id, state] of entries) {
    if (!Number.isInteger(id) || (next ?? map).get(id) === state) continue;
    next ??= new Map(map);
    next.set(id, state);
  }
  return next ?? map;
}
