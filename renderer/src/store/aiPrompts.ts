// The AI prompt set being built on the canvas and what the UI derives from it.
// Pure: no store, no API, so it is unit-tested directly.
import type {
  CandidateSet,
  ClickPromptInput,
  Label,
  MaskCandidate,
  PromptCapabilities,
  PromptSetInput,
  ReferencePromptInput,
  ScribblePromptInput,
} from '../../../common/contract/index.js';

/** x0, y0, x1, y1 in image pixels (the contract's box form). */
export type Corners = [number, number, number, number];

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

/** Why a model cannot take this kind of prompt (tooltip), or null when it can. */
export function capabilityProblem(kind: PromptKind, capabilities: PromptCapabilities | undefined, modelName: string): string | null {
  if (!capabilities) return 'No AI model is loaded.';
  return capabilities[kind] ? null : `${modelName} does not take ${PROMPT_KIND_NAMES[kind]}.`;
}

/** The request's prompt set, or null when there is nothing to send. */
export function toPromptSet(p: PromptDraft): PromptSetInput | null {
  if (!hasPrompts(p)) return null;
  return {
    clicks: p.clicks.map((c) => ({ ...c })),
    scribbles: p.scribbles.map((s) => ({ points: s.points.map(([x, y]) => [x, y] as [number, number]), positive: s.positive })),
    ...(p.box ? { box: [...p.box] as Corners } : {}),
    ...(p.text !== null ? { text: p.text } : {}),
    ...(p.reference ? { reference: p.reference } : {}),
  };
}

/** Normalised corners of a drag, clamped to the image. */
export function cornersOf(ax: number, ay: number, bx: number, by: number, width: number, height: number): Corners {
  const clampX = (v: number) => Math.max(0, Math.min(width, v));
  const clampY = (v: number) => Math.max(0, Math.min(height, v));
  return [clampX(Math.min(ax, bx)), clampY(Math.min(ay, by)), clampX(Math.max(ax, bx)), clampY(Math.max(ay, by))];
}

/**
 * The label a candidate would get: its best guess when that label still
 * exists in the project, else `fallback` (the active label, as manual tools use).
 */
export function preselectedLabel(candidate: MaskCandidate | undefined, labels: readonly Label[], fallback: string | null): string | null {
  const guess = candidate?.labels.find((g) => labels.some((l) => l.id === g.labelId));
  return guess?.labelId ?? fallback;
}

/** "2/3 · IoU 0.91": which candidate is shown and how good the model thinks it is. */
export function candidateInfo(set: CandidateSet | null, position: number): string {
  const candidate = set?.candidates[position];
  if (!set || !candidate) return '';
  return `${position + 1}/${set.candidates.length}${candidate.score === null ? '' : ` · IoU ${candidate.score.toFixed(2)}`}`;
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
export const clampScore = (score: number | null): number | null => (score === null ? null : Number.isFinite(score) ? Math.max(0, Math.min(1, score)) : 0);

/**
 * Folds feature states from the engine into the list's map; returns the same
 * map when nothing changed, so rows subscribed to it do not re-render.
 */
export function mergeFeatureStates<State>(map: ReadonlyMap<number, State>, states: Record<number, State> | Iterable<[number, State]>): ReadonlyMap<number, State> {
  const entries: Iterable<[number, State]> =
    Symbol.iterator in states ? (states as Iterable<[number, State]>) : Object.entries(states).map(([id, state]): [number, State] => [Number(id), state]);
  let next: Map<number, State> | null = null;
  for (const [id, state] of entries) {
    if (!Number.isInteger(id) || (next ?? map).get(id) === state) continue;
    next ??= new Map(map);
    next.set(id, state);
  }
  return next ?? map;
}
