// What every tool sees of the app. Tools are plain state machines driven by
// pointer and key events in IMAGE coordinates; they never touch React or
// Konva, so they are tested with a fake context.
import type { Annotation, Box, DocOp, Geometry } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import type { PixelImage } from './liveWire/imagePixels.js';

export type ToolId = 'select' | 'vertex' | 'box' | 'polygon' | 'brush' | 'eraser' | 'ai';

export interface ToolPointer {
  /** Image pixel coordinates (fractional). */
  x: number;
  y: number;
  /** 0 primary, 2 secondary. */
  button: number;
  shift: boolean;
  alt: boolean;
  /** 2 on the second press of a double-click. */
  clickCount: number;
}

/** Something a tool is drawing that is not (yet) an annotation, shown in the overlay layer. */
export type Draft =
  | { kind: 'box'; box: Box }
  | {
      kind: 'polygon';
      points: number[];
      cursor: { x: number; y: number } | null;
      canClose: boolean;
      /** Live-wire: the edge from the last vertex on to the cursor (flat, that vertex excluded); null for a straight edge. */
      cursorPath: number[] | null;
    }
  | { kind: 'stroke'; points: number[]; radius: number; erase: boolean; targetId: string | null };

/** How an existing annotation looks while a tool drags it, before the change is committed. */
export type LivePreview = { kind: 'translate'; dx: number; dy: number } | { kind: 'geometry'; geometry: Geometry };

export interface ToolContext {
  /** Visible annotations of the current image, bottom to top. */
  annotations(): readonly Annotation[];
  selection(): readonly string[];
  setSelection(ids: readonly string[]): void;
  setDraft(draft: Draft | null): void;
  setPreviews(previews: ReadonlyMap<string, LivePreview> | null): void;
  /** One undoable document change. */
  commit(ops: DocOp[]): void;
  /** A new annotation with the active label on the current image. */
  newAnnotation(geometry: Geometry): Annotation;
  /** Image pixels that correspond to a few screen pixels at the current zoom: the grab distance. */
  hitTolerance(): number;
  brushRadius(): number;
  imageSize(): { width: number; height: number };
  decodeMask(annotation: Annotation): BinaryMask | null;
  encodeMask(mask: BinaryMask): Geometry;
  /** Whether polygon edges follow the image edges (live-wire, L). */
  liveWireEnabled(): boolean;
  /** The current image's pixels at full size (RGB, or grey); null while they load (the first ask starts that) or when they cannot be read. */
  imagePixels(): PixelImage | null;
}

export interface Tool {
  readonly id: ToolId;
  /** Current state name, e.g. 'idle', 'pointing', 'drawing'. */
  state(): string;
  onPointerDown(pointer: ToolPointer): void;
  onPointerMove(pointer: ToolPointer): void;
  onPointerUp(pointer: ToolPointer): void;
  /** Keys of a gesture in progress (Enter closes a polygon); returns true when the key was consumed. */
  onKeyDown(key: string): boolean;
  /** Abandons whatever is in progress (Esc, tool switch, image change). */
  cancel(): void;
  /** Redraws what the tool shows after a setting it reads has changed (live-wire on/off). */
  refresh?(): void;
}
