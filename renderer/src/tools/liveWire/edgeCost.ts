// The local cost of a live-wire link, after Mortensen & Barrett, "Intelligent
// scissors for image composition" (SIGGRAPH 1995): a link p → q is cheap when
// q lies on a Laplacian zero-crossing (fZ), has a strong gradient (fG), and the
// link runs along the edge at both ends, perpendicular to the gradient (fD):
//   l(p, q) = 0.43·fZ(q) + 0.43·fG(q) + 0.14·fD(p, q).
// Everything is computed once per window, the direction term included: it
// only needs, per pixel and per link orientation, one angle and one sign.
// Colour images give one plane per channel: the gradient is the strongest
// channel's (its direction too), and a zero-crossing of any channel whose own
// gradient is strong counts, so an edge between two colours of the same
// brightness is an edge.

/** Planes of the same grid (grey levels, or one per colour channel; any scale), each row-major. */
export interface ImagePlanes {
  cols: number;
  rows: number;
  planes: readonly Float32Array[];
}

export interface EdgeCostMap {
  cols: number;
  rows: number;
  /** fG = 1 − G / max G in this window: 0 on the strongest edge, 1 where flat. */
  gradientCost: Float32Array;
  /** fZ: 0 on a Laplacian zero-crossing of a real edge, 1 elsewhere. */
  zeroCrossingCost: Uint8Array;
  /**
   * acos |D′(p) · u| for the four link orientations u (→, ↘, ↓, ↙) at index
   * 4p + o, where D′ is the unit vector along the edge (the gradient turned by
   * −90°; zero where flat, giving π/2).
   */
  alongEdgeAngle: Float32Array;
  /** The sign of D′(p) · u at the same index: −1, 0 or 1. */
  alongEdgeSign: Int8Array;
}

export const EDGE_COST_WEIGHTS = { zeroCrossing: 0.43, gradient: 0.43, direction: 0.14 } as const;

/**
 * A zero-crossing counts only where the gradient reaches this fraction of the
 * window's strongest: on flat, noisy ground the Laplacian changes sign at
 * random, and those crossings are not edges.
 */
const ZERO_CROSSING_MIN_GRADIENT = 0.05;

const DIRECTION_SCALE = 2 / (3 * Math.PI);
const INV_SQRT2 = Math.SQRT1_2;

export function computeEdgeCostMap(image: ImagePlanes): EdgeCostMap {
  const { cols, rows, planes } = image;
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0)
    throw new RangeError(`Plane size must be positive integers, got ${cols} × ${rows}.`);
  if (planes.length === 0) throw new RangeError('At least one plane is needed.');
  for (const plane of planes)
    if (plane.length !== cols * rows) throw new RangeError(`Plane ${cols} × ${rows} needs ${cols * rows} values, got ${plane.length}.`);
  const n = cols * rows;
  const channels = planes.length;
  const magnitude = new Float32Array(n);
  // Per channel: its own gradient and Laplacian, for its zero-crossings.
  const channelMagnitude = planes.map(() => new Float32Array(n));
  const laplacians = planes.map(() => new Float32Array(n));
  const alongEdgeAngle = new Float32Array(4 * n).fill(Math.PI / 2);
  const alongEdgeSign = new Int8Array(4 * n);
  const strongestX = new Float32Array(n);
  const strongestY = new Float32Array(n);
  let maxMagnitude = 0;
  for (let c = 0; c < channels; c++) {
    const smooth = binomialBlur(planes[c]!, cols, rows);
    const own = channelMagnitude[c]!;
    const laplacian = laplacians[c]!;
    for (let row = 0; row < rows; row++) {
      const up = (row > 0 ? row - 1 : row) * cols;
      const mid = row * cols;
      const down = (row < rows - 1 ? row + 1 : row) * cols;
      for (let col = 0; col < cols; col++) {
        const left = col > 0 ? col - 1 : col;
        const right = col < cols - 1 ? col + 1 : col;
        // Sobel, borders replicated.
        const gx =
          smooth[up + right]! +
          2 * smooth[mid + right]! +
          smooth[down + right]! -
          smooth[up + left]! -
          2 * smooth[mid + left]! -
          smooth[down + left]!;
        const gy =
          smooth[down + left]! +
          2 * smooth[down + col]! +
          smooth[down + right]! -
          smooth[up + left]! -
          2 * smooth[up + col]! -
          smooth[up + right]!;
        const i = mid + col;
        const g = Math.hypot(gx, gy);
        own[i] = g;
        if (g > magnitude[i]!) {
          magnitude[i] = g;
          strongestX[i] = gx;
          strongestY[i] = gy;
        }
        if (g > maxMagnitude) maxMagnitude = g;
        laplacian[i] = smooth[up + col]! + smooth[down + col]! + smooth[mid + left]! + smooth[mid + right]! - 4 * smooth[i]!;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const g = magnitude[i]!;
    if (g <= 1e-6) continue;
    const ex = strongestY[i]! / g;
    const ey = -strongestX[i]! / g;
    setOrientation(alongEdgeAngle, alongEdgeSign, 4 * i, ex);
    setOrientation(alongEdgeAngle, alongEdgeSign, 4 * i + 1, (ex + ey) * INV_SQRT2);
    setOrientation(alongEdgeAngle, alongEdgeSign, 4 * i + 2, ey);
    setOrientation(alongEdgeAngle, alongEdgeSign, 4 * i + 3, (ey - ex) * INV_SQRT2);
  }

  const gradientCost = new Float32Array(n);
  if (maxMagnitude > 0) for (let i = 0; i < n; i++) gradientCost[i] = 1 - magnitude[i]! / maxMagnitude;
  else gradientCost.fill(1);

  const zeroCrossingCost = new Uint8Array(n).fill(1);
  const minMagnitude = ZERO_CROSSING_MIN_GRADIENT * maxMagnitude;
  if (maxMagnitude === 0) return { cols, rows, gradientCost, zeroCrossingCost, alongEdgeAngle, alongEdgeSign };
  for (let c = 0; c < channels; c++) {
    const own = channelMagnitude[c]!;
    const laplacian = laplacians[c]!;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        const i = row * cols + col;
        if (zeroCrossingCost[i] === 0 || own[i]! < minMagnitude) continue;
        const here = laplacian[i]!;
        if (
          (col > 0 && crossesZero(here, laplacian[i - 1]!)) ||
          (col < cols - 1 && crossesZero(here, laplacian[i + 1]!)) ||
          (row > 0 && crossesZero(here, laplacian[i - cols]!)) ||
          (row < rows - 1 && crossesZero(here, laplacian[i + cols]!))
        ) {
          zeroCrossingCost[i] = 0;
        }
      }
    }
  }
  return { cols, rows, gradientCost, zeroCrossingCost, alongEdgeAngle, alongEdgeSign };
}

function setOrientation(angle: Float32Array, sign: Int8Array, at: number, dot: number): void {
  angle[at] = Math.acos(Math.min(1, Math.abs(dot)));
  sign[at] = dot > 0 ? 1 : dot < 0 ? -1 : 0;
}

/**
 * The link cost l(p, q) on this map, for neighbours p and q = p + (dx, dy) with dx, dy in {−1, 0, 1}.
 * fG is weighted 1/√2 on straight links and 1 on diagonal ones, as in the
 * paper, so a diagonal step costs more than a straight one. The direction term
 *   fD = 2/(3π) · (acos(D′(p) · L) + acos(D′(q) · L)),
 * with the link vector L oriented so that D′(p) · L ≥ 0, rewards running along
 * the edge and penalises a link whose ends see opposite edge directions. With
 * L = ±u, D′(q) · L = sign(D′(p) · u) · D′(q) · u, so the second angle is
 * the stored one when the two signs agree and its supplement when they differ.
 */
export function edgeLinkCost(map: EdgeCostMap): (p: number, q: number, dx: number, dy: number) => number {
  // The arrays are captured once: this runs for every link Dijkstra relaxes.
  const { gradientCost, zeroCrossingCost, alongEdgeAngle, alongEdgeSign } = map;
  const zeroCrossingWeight = EDGE_COST_WEIGHTS.zeroCrossing;
  const gradientWeight = EDGE_COST_WEIGHTS.gradient;
  const directionWeight = EDGE_COST_WEIGHTS.direction * DIRECTION_SCALE;
  return (p, q, dx, dy) => {
    const diagonal = dx !== 0 && dy !== 0;
    const orientation = dy === 0 ? 0 : dx === 0 ? 2 : dx === dy ? 1 : 3;
    const atP = 4 * p + orientation;
    const atQ = 4 * q + orientation;
    const angleQ = alongEdgeSign[atP]! * alongEdgeSign[atQ]! < 0 ? Math.PI - alongEdgeAngle[atQ]! : alongEdgeAngle[atQ]!;
    return (
      zeroCrossingWeight * zeroCrossingCost[q]! +
      gradientWeight * gradientCost[q]! * (diagonal ? 1 : INV_SQRT2) +
      directionWeight * (alongEdgeAngle[atP]! + angleQ)
    );
  };
}

/** Of the two pixels either side of a Laplacian sign change, the one nearer zero is on the edge. */
function crossesZero(here: number, there: number): boolean {
  const changes = (here > 0 && there < 0) || (here < 0 && there > 0) || (here === 0 && there !== 0);
  return changes && Math.abs(here) <= Math.abs(there);
}

/** Separable [1 4 6 4 1] / 16 blur (≈ Gaussian σ 1), borders replicated: takes the pixel noise off the derivatives. */
function binomialBlur(data: Float32Array, cols: number, rows: number): Float32Array {
  const horizontal = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  const clampCol = (c: number) => (c < 0 ? 0 : c >= cols ? cols - 1 : c);
  const clampRow = (r: number) => (r < 0 ? 0 : r >= rows ? rows - 1 : r);
  for (let row = 0; row < rows; row++) {
    const base = row * cols;
    for (let col = 0; col < cols; col++) {
      horizontal[base + col] =
        (data[base + clampCol(col - 2)]! +
          4 * data[base + clampCol(col - 1)]! +
          6 * data[base + col]! +
          4 * data[base + clampCol(col + 1)]! +
          data[base + clampCol(col + 2)]!) /
        16;
    }
  }
  for (let row = 0; row < rows; row++) {
    const r2 = clampRow(row - 2) * cols;
    const r1 = clampRow(row - 1) * cols;
    const r0 = row * cols;
    const s1 = clampRow(row + 1) * cols;
    const s2 = clampRow(row + 2) * cols;
    for (let col = 0; col < cols; col++) {
      out[r0 + col] =
        (horizontal[r2 + col]! +
          4 * horizontal[r1 + col]! +
          6 * horizontal[r0 + col]! +
          4 * horizontal[s1 + col]! +
          horizontal[s2 + col]!) /
        16;
    }
  }
  return out;
}
