// Live-wire between two polygon vertices: the cheapest path on the edge-cost
// map over a window around the segment. The window is at most 512 cells a
// side: long segments on big images are worked at an integer downscale (block
// means). One shortest-path tree per seed serves every cursor position inside
// its window, so moving the cursor costs a walk up the tree; a new search runs
// only for a new vertex, or when the cursor leaves the window (which then grows
// with a margin, so that happens a few times per segment, not per move).
import { computeEdgeCostMap, type EdgeCostMap, edgeLinkCost } from './edgeCost.js';
import type { PixelImage } from './imagePixels.js';
import { type ShortestPathTree, shortestPathTree, tracePath } from './shortestPath.js';

export interface Point {
  x: number;
  y: number;
}

/** A rectangle of the image, in image pixels, and how it maps to the working grid. */
export interface LiveWireWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Image pixels per working cell along each axis (integer ≥ 1). */
  factor: number;
  cols: number;
  rows: number;
}

export interface LiveWireOptions {
  /** Longest side of the working grid, in cells. */
  maxWorkingSide: number;
  /** Least room around the segment, in image pixels. */
  minMargin: number;
  /** Room around the segment as a fraction of its longer extent (the path may bulge that far). */
  marginFraction: number;
  /** Edge-cost maps kept per image (windows revisited: Backspace, a vertex placed back). */
  cachedCostMaps: number;
}

export const DEFAULT_LIVE_WIRE_OPTIONS: LiveWireOptions = { maxWorkingSide: 512, minMargin: 32, marginFraction: 0.5, cachedCostMaps: 3 };

/** The window for a segment: its bounding box plus the margin, inside the image, downscaled to fit maxWorkingSide. */
export function chooseWindow(
  seed: Point,
  target: Point,
  imageWidth: number,
  imageHeight: number,
  options: LiveWireOptions = DEFAULT_LIVE_WIRE_OPTIONS,
): LiveWireWindow {
  const extent = Math.max(Math.abs(target.x - seed.x), Math.abs(target.y - seed.y));
  const margin = Math.max(options.minMargin, Math.ceil(options.marginFraction * extent));
  const x0 = Math.max(0, Math.floor(Math.min(seed.x, target.x) - margin));
  const y0 = Math.max(0, Math.floor(Math.min(seed.y, target.y) - margin));
  const x1 = Math.min(imageWidth, Math.ceil(Math.max(seed.x, target.x) + margin));
  const y1 = Math.min(imageHeight, Math.ceil(Math.max(seed.y, target.y) + margin));
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / options.maxWorkingSide));
  return { x0, y0, width, height, factor, cols: Math.ceil(width / factor), rows: Math.ceil(height / factor) };
}

/** The window on its working grid, one plane per channel: the mean of each factor × factor block (partial blocks at the far edges). */
export function sampleWindow(image: PixelImage, window: LiveWireWindow): Float32Array[] {
  const { x0, y0, width, height, factor, cols, rows } = window;
  if (x0 < 0 || y0 < 0 || x0 + width > image.width || y0 + height > image.height) {
    throw new RangeError(`Window ${width} × ${height} at (${x0}, ${y0}) is outside the ${image.width} × ${image.height} image.`);
  }
  const channels = image.channels;
  const sums = Array.from({ length: channels }, () => new Float32Array(cols * rows));
  const counts = new Float32Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const source = ((y0 + y) * image.width + x0) * channels;
    const target = Math.floor(y / factor) * cols;
    for (let x = 0; x < width; x++) {
      const cell = target + Math.floor(x / factor);
      for (let c = 0; c < channels; c++) sums[c]![cell]! += image.data[source + x * channels + c]!;
      counts[cell]! += 1;
    }
  }
  for (const plane of sums) for (let i = 0; i < plane.length; i++) plane[i] = plane[i]! / counts[i]!;
  return sums;
}

/** How much work the live-wire has done; for tests and benchmarks. */
export interface LiveWireStats {
  costMapsBuilt: number;
  searches: number;
}

interface SeedTree {
  seed: Point;
  window: LiveWireWindow;
  tree: ShortestPathTree;
}

/** Live-wire paths on one image. Keep one per image: it caches the cost maps and the current seed's tree. */
export class LiveWire {
  private readonly options: LiveWireOptions;
  private readonly costMaps = new Map<string, EdgeCostMap>();
  private current: SeedTree | null = null;
  readonly stats: LiveWireStats = { costMapsBuilt: 0, searches: 0 };

  constructor(
    readonly image: PixelImage,
    options: Partial<LiveWireOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIVE_WIRE_OPTIONS, ...options };
    const { maxWorkingSide, minMargin, marginFraction, cachedCostMaps } = this.options;
    if (!Number.isInteger(maxWorkingSide) || maxWorkingSide < 2)
      throw new RangeError(`maxWorkingSide must be an integer ≥ 2, got ${maxWorkingSide}.`);
    if (!(minMargin >= 0) || !(marginFraction >= 0)) throw new RangeError('Live-wire margins must be non-negative numbers.');
    if (!Number.isInteger(cachedCostMaps) || cachedCostMaps < 1)
      throw new RangeError(`cachedCostMaps must be a positive integer, got ${cachedCostMaps}.`);
  }

  /** The window of the last search, or null before the first. */
  get window(): LiveWireWindow | null {
    return this.current?.window ?? null;
  }

  /**
   * The path along the image edges from `seed` to `target` (image pixels,
   * flat), starting exactly at the seed and ending exactly at the target; the
   * points between are the centres of the working cells it runs through.
   */
  path(seed: Point, target: Point): number[] {
    const from = this.clampToImage(seed, 'seed');
    const to = this.clampToImage(target, 'target');
    const searched = this.treeFor(from, to);
    const { window, tree } = searched;
    // Ties break towards the exact segment, in grid units where cell centres are whole numbers.
    const toGrid = (p: Point) => ({ col: (p.x - window.x0) / window.factor - 0.5, row: (p.y - window.y0) / window.factor - 0.5 });
    const start = toGrid(from);
    const end = toGrid(to);
    const cells = tracePath(tree, this.cellOf(window, to), { fromCol: start.col, fromRow: start.row, toCol: end.col, toRow: end.row });
    const out: number[] = [from.x, from.y];
    // The seed's and the target's own cells are replaced by the exact points.
    for (let i = 1; i < cells.length - 1; i++) {
      const cell = cells[i]!;
      const col = cell % window.cols;
      const row = (cell - col) / window.cols;
      out.push(window.x0 + (col + 0.5) * window.factor, window.y0 + (row + 0.5) * window.factor);
    }
    out.push(to.x, to.y);
    return out;
  }

  private treeFor(seed: Point, target: Point): SeedTree {
    const wanted = chooseWindow(seed, target, this.image.width, this.image.height, this.options);
    const current = this.current;
    if (
      current &&
      current.seed.x === seed.x &&
      current.seed.y === seed.y &&
      current.window.factor <= wanted.factor &&
      this.wellInside(current.window, target)
    ) {
      return current;
    }
    const map = this.costMap(wanted);
    const tree = shortestPathTree(map.cols, map.rows, this.cellOf(wanted, seed), edgeLinkCost(map));
    this.stats.searches++;
    this.current = { seed, window: wanted, tree };
    return this.current;
  }

  /** Inside the window and a cell away from any side that is not the image border (the path must be able to pass the target). */
  private wellInside(window: LiveWireWindow, point: Point): boolean {
    const room = window.factor;
    const left = window.x0 === 0 ? 0 : window.x0 + room;
    const top = window.y0 === 0 ? 0 : window.y0 + room;
    const right = window.x0 + window.width === this.image.width ? this.image.width : window.x0 + window.width - room;
    const bottom = window.y0 + window.height === this.image.height ? this.image.height : window.y0 + window.height - room;
    return point.x >= left && point.x <= right && point.y >= top && point.y <= bottom;
  }

  private costMap(window: LiveWireWindow): EdgeCostMap {
    const key = `${window.x0},${window.y0},${window.width},${window.height},${window.factor}`;
    const cached = this.costMaps.get(key);
    if (cached) {
      this.costMaps.delete(key);
      this.costMaps.set(key, cached);
      return cached;
    }
    const map = computeEdgeCostMap({ cols: window.cols, rows: window.rows, planes: sampleWindow(this.image, window) });
    this.stats.costMapsBuilt++;
    this.costMaps.set(key, map);
    while (this.costMaps.size > this.options.cachedCostMaps) {
      const oldest = this.costMaps.keys().next().value;
      if (oldest === undefined) break;
      this.costMaps.delete(oldest);
    }
    return map;
  }

  private cellOf(window: LiveWireWindow, point: Point): number {
    const col = Math.min(window.cols - 1, Math.max(0, Math.floor((point.x - window.x0) / window.factor)));
    const row = Math.min(window.rows - 1, Math.max(0, Math.floor((point.y - window.y0) / window.factor)));
    return row * window.cols + col;
  }

  private clampToImage(point: Point, name: string): Point {
    if (!Number.isFinite(point.x) || !Number.isFinite(point.y))
      throw new RangeError(`Live-wire ${name} must have finite coordinates, got (${point.x}, ${point.y}).`);
    return { x: Math.min(this.image.width, Math.max(0, point.x)), y: Math.min(this.image.height, Math.max(0, point.y)) };
  }
}
