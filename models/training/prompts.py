"""Prompt simulation shared by training and evaluation: clicks, correction
clicks, boxes, scribbles and the reference-region pooling on the embedding
grid (the same pooling as engine/worker/models/segmenter/refPooling.ts)."""
from __future__ import annotations

import numpy as np
from ndimage import distance_transform_edt, label

from common import GRID, INPUT_SIZE

MAX_SCRIBBLE_POINTS = 512


def _dt(mask: np.ndarray) -> np.ndarray:
    return distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]


def center_click(mask: np.ndarray) -> tuple[float, float]:
    """Interior point farthest from the boundary, as (x, y) pixel centre."""
    dt = _dt(mask)
    y, x = np.unravel_index(int(np.argmax(dt)), dt.shape)
    return float(x) + 0.5, float(y) + 0.5


def random_click(rng: np.random.Generator, mask: np.ndarray) -> tuple[float, float]:
    """A positive click biased to the interior (probability ~ distance^2)."""
    dt = _dt(mask).ravel() ** 2
    idx = int(rng.choice(dt.size, p=dt / dt.sum()))
    y, x = divmod(idx, mask.shape[1])
    return float(x) + 0.5, float(y) + 0.5


def correction_click(pred: np.ndarray, gt: np.ndarray) -> tuple[float, float, int] | None:
    """Standard NoC simulation: centre (distance-transform max) of the
    largest error region; positive for a miss, negative for a false area."""
    fn = gt & ~pred
    fp = pred & ~gt
    best = None
    for err, lab in ((fn, 1), (fp, 0)):
        if not err.any():
            continue
        comp, n = label(err)
        sizes = np.bincount(comp.ravel())[1:]
        k = int(np.argmax(sizes)) + 1
        region = comp == k
        dt = _dt(region)
        score = float(dt.max())
        if best is None or score > best[0]:
            y, x = np.unravel_index(int(np.argmax(dt)), dt.shape)
            best = (score, float(x) + 0.5, float(y) + 0.5, lab)
    if best is None:
        return None
    return best[1], best[2], best[3]


def box_of(mask: np.ndarray) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def jitter_box(rng: np.random.Generator, box: tuple[float, float, float, float], frac: float,
               limit: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    n = rng.normal(0, frac, 4) * np.array([bw, bh, bw, bh])
    x0, y0, x1, y1 = np.array(box) + n
    return (float(np.clip(x0, 0, limit)), float(np.clip(y0, 0, limit)),
            float(np.clip(x1, 0, limit)), float(np.clip(y1, 0, limit)))


def scribble(rng: np.random.Generator, mask: np.ndarray, max_points: int = MAX_SCRIBBLE_POINTS) -> np.ndarray:
    """A stroke through 2-4 interior anchors, sampled every pixel, kept
    inside the mask, then at most `max_points` uniformly spaced samples
    (SEEM's visual sampler). Returns [n,2] (x, y)."""
    anchors = [random_click(rng, mask) for _ in range(int(rng.integers(2, 5)))]
    pts = []
    for (xa, ya), (xb, yb) in zip(anchors[:-1], anchors[1:]):
        n = max(2, int(np.hypot(xb - xa, yb - ya)))
        t = np.linspace(0, 1, n, endpoint=False)
        pts.append(np.stack([xa + (xb - xa) * t, ya + (yb - ya) * t], 1))
    pts.append(np.array([anchors[-1]]))
    p = np.concatenate(pts)
    xi = np.clip(p[:, 0].astype(int), 0, mask.shape[1] - 1)
    yi = np.clip(p[:, 1].astype(int), 0, mask.shape[0] - 1)
    p = p[mask[yi, xi]]
    if len(p) == 0:
        p = np.array([anchors[0]])
    if len(p) > max_points:
        p = p[np.linspace(0, len(p) - 1, max_points).round().astype(int)]
    return p.astype(np.float32)


def region_cells_from_box(box: tuple[float, float, float, float]) -> np.ndarray:
    """Embedding-grid cells whose centre lies inside the box (model-frame
    px); if none, the cell holding the box centre."""
    stride = INPUT_SIZE / GRID
    c = (np.arange(GRID) + 0.5) * stride
    x0, y0, x1, y1 = box
    cells = (c[None, :] >= x0) & (c[None, :] <= x1) & (c[:, None] >= y0) & (c[:, None] <= y1)
    if not cells.any():
        cx = int(np.clip((x0 + x1) / 2 // stride, 0, GRID - 1))
        cy = int(np.clip((y0 + y1) / 2 // stride, 0, GRID - 1))
        cells[cy, cx] = True
    return cells


def region_cells_from_points(points: np.ndarray) -> np.ndarray:
    """Cells that contain at least one scribble point (model-frame px)."""
    stride = INPUT_SIZE / GRID
    cells = np.zeros((GRID, GRID), bool)
    xi = np.clip((points[:, 0] // stride).astype(int), 0, GRID - 1)
    yi = np.clip((points[:, 1] // stride).astype(int), 0, GRID - 1)
    cells[yi, xi] = True
    return cells
