// A ToolContext backed by plain arrays, recording what the tool did.
import type { Annotation, DocOp, Geometry } from '../../../common/contract/index.js';
import { decodeMaskCached, encodeMask } from '../../../renderer/src/masks/maskCodec.js';
import type { PixelImage } from '../../../renderer/src/tools/liveWire/imagePixels.js';
import type { Draft, LivePreview, ToolContext, ToolPointer } from '../../../renderer/src/tools/toolTypes.js';

export interface FakeContext extends ToolContext {
  items: Annotation[];
  selected: string[];
  draft: Draft | null;
  previews: ReadonlyMap<string, LivePreview> | null;
  commits: DocOp[][];
  radius: number;
  /** Live-wire switch and the image it reads (null: pixels not available). */
  liveWire: boolean;
  pixels: PixelImage | null;
}

export function annotation(id: string, geometry: Geometry, labelId: string | null = 'cat'): Annotation {
  return { id, imageId: 1, labelId, geometry, score: null, source: 'manual', createdAt: 1, updatedAt: 1, revision: 1 };
}

export function fakeContext(items: Annotation[] = [], size = { width: 100, height: 80 }): FakeContext {
  let nextId = 1;
  const ctx: FakeContext = {
    items,
    selected: [],
    draft: null,
    previews: null,
    commits: [],
    radius: 3,
    liveWire: false,
    pixels: null,
    annotations: () => ctx.items,
    selection: () => ctx.selected,
    setSelection: (ids) => {
      ctx.selected = [...ids];
    },
    setDraft: (draft) => {
      ctx.draft = draft;
    },
    setPreviews: (previews) => {
      ctx.previews = previews;
    },
    commit: (ops) => {
      ctx.commits.push(ops);
    },
    newAnnotation: (geometry) => annotation(`new-${nextId++}`, geometry, 'active'),
    // One image pixel per screen pixel at scale 1: 6 px grab distance.
    hitTolerance: () => 6,
    brushRadius: () => ctx.radius,
    imageSize: () => size,
    decodeMask: decodeMaskCached,
    encodeMask,
    liveWireEnabled: () => ctx.liveWire,
    imagePixels: () => ctx.pixels,
  };
  return ctx;
}

export const at = (x: number, y: number, extra: Partial<ToolPointer> = {}): ToolPointer => ({
  x,
  y,
  button: 0,
  shift: false,
  alt: false,
  clickCount: 1,
  ...extra,
});

/** The single annotation.put of the only commit, or a failure. */
export function onlyPut(ctx: FakeContext): Annotation {
  if (ctx.commits.length !== 1) throw new Error(`expected one commit, got ${ctx.commits.length}`);
  const [op] = ctx.commits[0]!;
  if (op?.type !== 'annotation.put') throw new Error(`expected annotation.put, got ${op?.type}`);
  return op.annotation;
}
