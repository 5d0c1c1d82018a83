// Dijkstra on an 8-connected pixel grid with an indexed binary heap. It grows
// the whole shortest-path tree from the seed, so while the cursor moves the
// path to it is a walk up the parent links, not a new search.

/** The cost of the link from → to, where to = from + (dx, dy); must be ≥ 0. */
export type LinkCost = (from: number, to: number, dx: number, dy: number) => number;

export interface ShortestPathTree {
  cols: number;
  rows: number;
  seed: number;
  /** Cost of the cheapest path from the seed; Infinity where unreachable. */
  distance: Float64Array;
  /** The previous cell on that path; −1 for the seed and unreachable cells. */
  parent: Int32Array;
  /** The costs the tree was grown with (the walk back re-checks ties with them). */
  linkCost: LinkCost;
}

const NEIGHBOUR_DX = [1, 1, 0, -1, -1, -1, 0, 1] as const;
const NEIGHBOUR_DY = [0, 1, 1, 1, 0, -1, -1, -1] as const;

/** Relative slack under which two path costs count as a tie (sums of the same costs in another order differ by rounding). */
const TIE_EPSILON = 1e-9;

/**
 * A min-heap of cell indices ordered by `keys[cell]`, with decrease-key: each
 * cell is in the heap at most once, so it never holds more than the grid.
 */
export class IndexedMinHeap {
  private readonly heap: Int32Array;
  /** Where each cell sits in the heap; −1 when it is not there. */
  private readonly position: Int32Array;
  private count = 0;

  constructor(private readonly keys: Float64Array) {
    this.heap = new Int32Array(keys.length);
    this.position = new Int32Array(keys.length).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Inserts the cell, or moves it up after its key went down. */
  pushOrDecrease(cell: number): void {
    let at = this.position[cell]!;
    if (at === -1) {
      at = this.count++;
      this.heap[at] = cell;
      this.position[cell] = at;
    }
    this.siftUp(at);
  }

  /** Removes and returns the cell with the smallest key; −1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.heap[0]!;
    this.position[top] = -1;
    const last = this.heap[--this.count]!;
    if (this.count > 0) {
      this.heap[0] = last;
      this.position[last] = 0;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(at: number): void {
    const { heap, position, keys } = this;
    const cell = heap[at]!;
    const key = keys[cell]!;
    while (at > 0) {
      const up = (at - 1) >> 1;
      const other = heap[up]!;
      if (keys[other]! <= key) break;
      heap[at] = other;
      position[other] = at;
      at = up;
    }
    heap[at] = cell;
    position[cell] = at;
  }

  private siftDown(at: number): void {
    const { heap, position, keys } = this;
    const cell = heap[at]!;
    const key = keys[cell]!;
    const half = this.count >> 1;
    while (at < half) {
      let child = 2 * at + 1;
      const right = child + 1;
      if (right < this.count && keys[heap[right]!]! < keys[heap[child]!]!) child = right;
      const other = heap[child]!;
      if (keys[other]! >= key) break;
      heap[at] = other;
      position[other] = at;
      at = child;
    }
    heap[at] = cell;
    position[cell] = at;
  }
}

/**
 * The shortest-path tree from `seed` over a cols × rows grid: every cell's
 * cheapest cost from the seed and one predecessor on such a path.
 */
export function shortestPathTree(cols: number, rows: number, seed: number, linkCost: LinkCost): ShortestPathTree {
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0)
    throw new RangeError(`Grid size must be positive integers, got ${cols} × ${rows}.`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= cols * rows)
    throw new RangeError(`Seed ${seed} is outside the ${cols} × ${rows} grid.`);
  const n = cols * rows;
  const distance = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const settled = new Uint8Array(n);
  const heap = new IndexedMinHeap(distance);
  distance[seed] = 0;
  heap.pushOrDecrease(seed);
  while (heap.size > 0) {
    const p = heap.pop();
    settled[p] = 1;
    const pCol = p % cols;
    const pRow = (p - pCol) / cols;
    const base = distance[p]!;
    for (let k = 0; k < 8; k++) {
      const dx = NEIGHBOUR_DX[k]!;
      const dy = NEIGHBOUR_DY[k]!;
      const qCol = pCol + dx;
      const qRow = pRow + dy;
      if (qCol < 0 || qCol >= cols || qRow < 0 || qRow >= rows) continue;
      const q = qRow * cols + qCol;
      if (settled[q]) continue;
      const cost = linkCost(p, q, dx, dy);
      if (!(cost >= 0)) throw new RangeError(`Link cost must be a non-negative number, got ${cost}.`);
      const candidate = base + cost;
      if (candidate < distance[q]!) {
        distance[q] = candidate;
        parent[q] = p;
        heap.pushOrDecrease(q);
      }
    }
  }
  return { cols, rows, seed, distance, parent, linkCost };
}

/** A line in grid units (cell centres at whole numbers), for breaking ties towards it. */
export interface StraightLine {
  fromCol: number;
  fromRow: number;
  toCol: number;
  toRow: number;
}

/**
 * The cells from the seed to `target`, both included, walking back from the
 * target. Where several predecessors are equally cheap (common on flat ground,
 * where every ordering of the same steps costs the same) it takes the one
 * nearest the straight segment seed → target (or `line`, when the ends are
 * finer than a cell), so ties come out as a digital straight line rather than
 * a staircase. That choice depends on the target,
 * which is why it is made here and not while growing the tree.
 */
export function tracePath(tree: ShortestPathTree, target: number, line?: StraightLine): number[] {
  const { cols, rows, seed, distance, parent, linkCost } = tree;
  if (!Number.isInteger(target) || target < 0 || target >= cols * rows)
    throw new RangeError(`Target ${target} is outside the ${cols} × ${rows} grid.`);
  if (distance[target] === Infinity) throw new Error(`Cell ${target} cannot be reached from the seed.`);
  const seedCol = line?.fromCol ?? seed % cols;
  const seedRow = line?.fromRow ?? Math.floor(seed / cols);
  const targetCol = line?.toCol ?? target % cols;
  const targetRow = line?.toRow ?? Math.floor(target / cols);
  const cells: number[] = [target];
  let q = target;
  while (q !== seed) {
    const qCol = q % cols;
    const qRow = (q - qCol) / cols;
    const here = distance[q]!;
    const slack = TIE_EPSILON * Math.max(1, here);
    let best = -1;
    let bestOffLine = Infinity;
    for (let k = 0; k < 8; k++) {
      const pCol = qCol - NEIGHBOUR_DX[k]!;
      const pRow = qRow - NEIGHBOUR_DY[k]!;
      if (pCol < 0 || pCol >= cols || pRow < 0 || pRow >= rows) continue;
      const p = pRow * cols + pCol;
      // Strictly cheaper predecessors only, so the walk cannot go round a loop of zero-cost links.
      if (!(distance[p]! < here) || distance[p]! + linkCost(p, q, NEIGHBOUR_DX[k]!, NEIGHBOUR_DY[k]!) > here + slack) continue;
      // |(target − seed) × (p − seed)|: the distance of p from the line, times its length.
      const offLine = Math.abs((targetCol - seedCol) * (pRow - seedRow) - (targetRow - seedRow) * (pCol - seedCol));
      if (offLine < bestOffLine) {
        bestOffLine = offLine;
        best = p;
      }
    }
    q = best === -1 ? parent[q]! : best;
    if (q === -1) throw new Error('The path back to the seed is broken.');
    cells.push(q);
    if (cells.length > distance.length) throw new Error('The path back to the seed does not end.');
  }
  return cells.reverse();
}
