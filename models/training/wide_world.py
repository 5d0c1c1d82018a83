"""The wide world: the shapes world's 8 named shapes among objects the label
vocabulary has no name for, so that the segmenter learns objects and edges
rather than 8 outlines (issue 19).

Every scene is a pure function of (seed, index, split), like shapes_world.py:
- a quarter of the training scenes ARE shapes-world scenes (generate_scene),
  so the model's own world stays one part of this one;
- the rest: a neutral, photo-like or cluttered background, stuff regions
  (sky, water, grass, sand), named objects ("<colour> <shape>", the 64 names)
  and unnamed objects of other families (convex and concave polygons, thin
  bars and strokes, objects with holes, blobs, ellipses), with textured fills
  (solid, stripes, gradient, noise, photo-like), sizes from tiny to
  image-filling and heavy occlusion (an earlier object keeps >= 25 %);
- split "heldout" draws the unnamed objects from families that training
  never sees (crescents, arcs, gears) and every fill from kinds it never sees
  (checker, dots): the figures on it measure generalisation.
Unnamed objects have the colour of their fill (a named colour) and the word
"shape" in captions ("a small red shape"); they get no category and no
referring phrase, so the text and label heads keep their 68 names.
"""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from shapes_world import (COLOURS, SHAPES, STUFF_COLOURS, Instance, Scene, _blob, _caption, _referring, _texture,
                          _wavy_band, generate_scene, scene_rng, shape_mask)

TRAIN_FAMILIES = ["convex", "concave", "thin", "holed", "blob", "ellipse"]
HELDOUT_FAMILIES = ["crescent", "arc", "gear"]
TRAIN_FILLS = ["solid", "stripes", "gradient", "noise", "photo"]
HELDOUT_FILLS = ["checker", "dots"]
SPLITS = ("train", "heldout")
V1_SHARE = 0.25  # training scenes that are plain shapes-world scenes
MIN_VISIBLE = 0.25  # an earlier object keeps at least this share of its area
MAX_CAPTION_OBJECTS = 8


# ------------------------------------------------------------------ geometry

def _poly_mask(h: int, w: int, pts: list[tuple[float, float]]) -> np.ndarray:
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).polygon(pts, fill=255)
    return np.asarray(img) > 127


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    """z of the 2-D cross product (np.cross on 2-vectors is deprecated in numpy 2)."""
    return float(u[0] * v[1] - u[1] * v[0])


def _convex_hull(pts: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain; pts [n,2] -> hull vertices in order."""
    p = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def half(seq: np.ndarray) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for q in seq:
            while len(out) >= 2 and _cross(out[-1] - out[-2], q - out[-2]) <= 0:
                out.pop()
            out.append(q)
        return out

    lower, upper = half(p), half(p[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _place(pts: np.ndarray, cx: float, cy: float, r: float, th: float) -> list[tuple[float, float]]:
    """Unit-frame points -> image points (scale r, rotate th, move to centre)."""
    c, s = math.cos(th), math.sin(th)
    return [(cx + r * (x * c - y * s), cy + r * (x * s + y * c)) for x, y in pts]


def _radial(rng: np.random.Generator, n: int, smooth: bool) -> np.ndarray:
    ang = np.linspace(0, 2 * math.pi, n, endpoint=False)
    if smooth:  # a blob: low-frequency radius wobble
        rad = np.ones(n)
        for k in range(1, 5):
            rad += rng.uniform(0, 0.35 / k) * np.sin(k * ang + rng.uniform(0, 2 * math.pi))
    else:  # a concave polygon: independent radii
        ang = np.sort(rng.uniform(0, 2 * math.pi, n))
        rad = rng.uniform(0.3, 1.0, n)
    rad = rad / rad.max()
    return np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1)


def family_mask(rng: np.random.Generator, family: str, h: int, w: int, cx: float, cy: float, r: float,
                th: float) -> np.ndarray:
    """A mask of one object of `family`, extent about r around (cx, cy)."""
    if family == "convex":
        n = int(rng.integers(3, 10))
        ang = rng.uniform(0, 2 * math.pi, max(n, 3))
        pts = np.stack([np.cos(ang), np.sin(ang)], 1) * rng.uniform(0.7, 1.0, (len(ang), 1))
        pts[:, 1] *= rng.uniform(0.45, 1.0)
        return _poly_mask(h, w, _place(_convex_hull(pts), cx, cy, r, th))
    if family == "concave":
        return _poly_mask(h, w, _place(_radial(rng, int(rng.integers(5, 15)), False), cx, cy, r, th))
    if family == "blob":
        pts = _radial(rng, 48, True)
        pts[:, 1] *= rng.uniform(0.55, 1.0)
        return _poly_mask(h, w, _place(pts, cx, cy, r, th))
    if family == "ellipse":
        ang = np.linspace(0, 2 * math.pi, 48, endpoint=False)
        pts = np.stack([np.cos(ang), rng.uniform(0.25, 1.0) * np.sin(ang)], 1)
        return _poly_mask(h, w, _place(pts, cx, cy, r, th))
    if family == "thin":
        width = max(2.0, r * float(rng.uniform(0.06, 0.22)))
        img = Image.new("L", (w, h), 0)
        if rng.random() < 0.5:  # a bar
            half = width / (2 * r)
            pts = np.array([(-1, -half), (1, -half), (1, half), (-1, half)])
            ImageDraw.Draw(img).polygon(_place(pts, cx, cy, r, th), fill=255)
        else:  # a bent stroke of 2-4 segments
            k = int(rng.integers(3, 6))
            pts = np.cumsum(rng.normal(0, 1, (k, 2)), 0)
            pts = (pts - pts.mean(0)) / max(1e-6, float(np.abs(pts).max()))
            ImageDraw.Draw(img).line(_place(pts, cx, cy, r, th), fill=255, width=int(round(width)), joint="curve")
        return np.asarray(img) > 127
    if family == "holed":
        outer = _poly_mask(h, w, _place(_shape_outline(rng), cx, cy, r, th))
        k = float(rng.uniform(0.35, 0.65))
        dx, dy = rng.uniform(-0.15, 0.15, 2) * r
        inner = _poly_mask(h, w, _place(_shape_outline(rng), cx + dx, cy + dy, r * k, th + rng.uniform(0, 1)))
        return outer & ~inner
    if family == "crescent":
        ang = np.linspace(0, 2 * math.pi, 64, endpoint=False)
        circ = np.stack([np.cos(ang), np.sin(ang)], 1)
        off = float(rng.uniform(0.3, 0.7))
        outer = _poly_mask(h, w, _place(circ, cx, cy, r, th))
        inner = _poly_mask(h, w, _place(circ * rng.uniform(0.8, 1.0) + np.array([off, 0]), cx, cy, r, th))
        return outer & ~inner
    if family == "arc":
        span = math.radians(float(rng.uniform(120, 300)))
        t = float(rng.uniform(0.2, 0.4))
        a = np.linspace(0, span, 48)
        outer = np.stack([np.cos(a), np.sin(a)], 1)
        pts = np.concatenate([outer, outer[::-1] * (1 - t)])
        return _poly_mask(h, w, _place(pts, cx, cy, r, th))
    if family == "gear":
        teeth = int(rng.integers(6, 13))
        depth = float(rng.uniform(0.7, 0.85))
        pts = []
        for k in range(teeth):
            a0 = 2 * math.pi * k / teeth
            step = 2 * math.pi / teeth
            for frac, rad in ((0.0, depth), (0.15, 1.0), (0.5, 1.0), (0.65, depth)):
                pts.append((rad * math.cos(a0 + frac * step), rad * math.sin(a0 + frac * step)))
        return _poly_mask(h, w, _place(np.array(pts), cx, cy, r, th))
    raise ValueError(family)


def _shape_outline(rng: np.random.Generator) -> np.ndarray:
    """A convex outline for the holed family: ellipse, rectangle or polygon."""
    kind = int(rng.integers(0, 3))
    if kind == 0:
        ang = np.linspace(0, 2 * math.pi, 40, endpoint=False)
        return np.stack([np.cos(ang), rng.uniform(0.5, 1.0) * np.sin(ang)], 1)
    if kind == 1:
        a = float(rng.uniform(0.5, 1.0))
        return np.array([(-1, -a), (1, -a), (1, a), (-1, a)]) / math.hypot(1, a)
    n = int(rng.integers(5, 9))
    ang = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return np.stack([np.cos(ang), np.sin(ang)], 1)


# --------------------------------------------------------------------- fills

def photo_field(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A photo-like luminance field in [0,1]: 1/f noise (several octaves)
    with a few soft shaded ellipses and a light gradient."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for cells in (3, 6, 12, 24, 48):
        small = rng.random((cells, cells)).astype(np.float32)
        out += amp * np.asarray(Image.fromarray(small).resize((w, h), Image.BICUBIC), np.float32)
        total += amp
        amp *= 0.55
    out /= total
    pil = Image.fromarray((np.clip(out, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(pil)
    for _ in range(int(rng.integers(0, 5))):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        rx, ry = rng.uniform(0.05, 0.3) * w, rng.uniform(0.05, 0.3) * h
        d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=int(rng.integers(0, 256)))
    pil = pil.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 3.0))))
    f = np.asarray(pil, np.float32) / 255
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    g = xx * math.cos(ang) + yy * math.sin(ang)
    g = (g - g.min()) / max(1e-6, float(g.max() - g.min()))
    return np.clip(0.8 * f + 0.2 * g, 0, 1)


def fill(rng: np.random.Generator, kind: str, h: int, w: int, base: tuple[int, int, int], strength: float) -> np.ndarray:
    """A float HxWx3 fill of colour `base`; the modulation keeps the hue so
    the colour name stays true (dark colours are lifted, not darkened)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "solid":
        mod = np.ones((h, w), np.float32)
    elif kind == "stripes":
        period, ang = rng.uniform(4, 24), rng.uniform(0, math.pi)
        mod = 1.0 - strength * 0.5 * (np.sin((xx * math.cos(ang) + yy * math.sin(ang)) / period * 2 * math.pi) > 0)
    elif kind == "gradient":
        ang = rng.uniform(0, 2 * math.pi)
        t = xx * math.cos(ang) + yy * math.sin(ang)
        mod = 1.0 - strength * 0.45 * (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    elif kind == "noise":
        cells = int(rng.integers(2, 24))
        small = rng.random((max(2, h // cells), max(2, w // cells))).astype(np.float32)
        noise = np.asarray(Image.fromarray(small).resize((w, h), Image.BILINEAR), np.float32)
        mod = 1.0 - strength * 0.4 * np.clip(noise, 0, 1)
    elif kind == "photo":
        mod = 0.55 + 0.45 * photo_field(rng, h, w)
    elif kind == "checker":
        cell, ang = rng.uniform(3, 16), rng.uniform(0, math.pi)
        u = (xx * math.cos(ang) + yy * math.sin(ang)) / cell
        v = (-xx * math.sin(ang) + yy * math.cos(ang)) / cell
        mod = 1.0 - strength * 0.45 * ((np.floor(u) + np.floor(v)) % 2)
    elif kind == "dots":
        period = rng.uniform(5, 18)
        rad = period * rng.uniform(0.2, 0.4)
        dx = (xx % period) - period / 2
        dy = (yy % period) - period / 2
        mod = 1.0 - strength * 0.45 * (dx * dx + dy * dy < rad * rad)
    else:
        raise ValueError(kind)
    base_arr = np.array(base, np.float32)
    if base_arr.mean() < 60:
        out = base_arr[None, None, :] + (1 - mod[:, :, None]) * 70
    else:
        out = base_arr[None, None, :] * mod[:, :, None]
    return out + rng.normal(0, 3 * strength, (h, w, 1)).astype(np.float32)


def _muted_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A background colour: any hue at low saturation, so it never passes
    for one of the 8 named colours."""
    grey = rng.uniform(70, 200)
    tint = rng.normal(0, 1, 3)
    tint = tint / max(1e-6, float(np.abs(tint).max())) * rng.uniform(0, 35)
    return tuple(int(np.clip(grey + t, 0, 255)) for t in tint)  # type: ignore[return-value]


def _background(rng: np.random.Generator, h: int, w: int, split: str) -> np.ndarray:
    kind = int(rng.integers(0, 3))
    if kind == 0:  # neutral texture, as in the shapes world
        img = _texture(rng, h, w, _muted_colour(rng), float(rng.uniform(0.3, 1.0)))
    else:  # photo-like: two muted colours blended by a photo-like field
        a, b = np.array(_muted_colour(rng), np.float32), np.array(_muted_colour(rng), np.float32)
        t = photo_field(rng, h, w)[:, :, None]
        img = a * (1 - t) + b * t
    if kind == 2 or rng.random() < 0.3:  # clutter: small muted fragments that are not objects
        families = HELDOUT_FAMILIES if split == "heldout" else TRAIN_FAMILIES
        short = min(h, w)
        for _ in range(int(rng.integers(8, 40))):
            r = float(rng.uniform(0.01, 0.05)) * short
            fam = families[int(rng.integers(0, len(families)))]
            m = family_mask(rng, fam, h, w, float(rng.uniform(0, w)), float(rng.uniform(0, h)), r,
                            float(rng.uniform(0, 2 * math.pi)))
            img[m] = np.array(_muted_colour(rng), np.float32)
    return img


# -------------------------------------------------------------------- scenes

def size_word(r_frac: float) -> str:
    """The size word of an object of radius r_frac x the shorter side (the
    shapes world's small/medium/large ranges, extended to tiny and huge)."""
    return "small" if r_frac < 0.082 else "medium" if r_frac < 0.14 else "large"


def generate_wide_scene(seed: int, index: int, split: str = "train", size_range: tuple[int, int] = (192, 768)) -> Scene:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    rng = np.random.default_rng(np.random.SeedSequence([seed, index, 19 if split == "train" else 23]))
    if split == "train" and rng.random() < V1_SHARE:
        scene = generate_scene(seed, index, size_range)
        scene.world = "shapes"
        return scene
    families = HELDOUT_FAMILIES if split == "heldout" else TRAIN_FAMILIES
    fills = HELDOUT_FILLS if split == "heldout" else TRAIN_FILLS
    long_side = int(rng.integers(size_range[0], size_range[1] + 1))
    aspect = float(rng.uniform(0.6, 1.0))
    if rng.random() < 0.5:
        w, h = long_side, max(size_range[0] // 2, int(long_side * aspect))
    else:
        h, w = long_side, max(size_range[0] // 2, int(long_side * aspect))
    img = _background(rng, h, w, split)

    stuff_raw: list[tuple[str, np.ndarray]] = []
    if rng.random() < 0.4:
        stuff_raw.append(("sky", _wavy_band(rng, h, w, True, float(rng.uniform(0.15, 0.45)))))
    if rng.random() < 0.4:
        stuff_raw.append((["water", "grass", "sand"][int(rng.integers(0, 3))],
                          _wavy_band(rng, h, w, False, float(rng.uniform(0.15, 0.4)))))
    if rng.random() < 0.2:
        stuff_raw.append((["water", "grass", "sand"][int(rng.integers(0, 3))], _blob(rng, h, w)))
    stuff: dict[str, np.ndarray] = {}
    for name, m in stuff_raw:
        for k in stuff:
            stuff[k] &= ~m
        stuff[name] = stuff.get(name, np.zeros((h, w), bool)) | m
        tex = _texture(rng, h, w, STUFF_COLOURS[name], float(rng.uniform(0.3, 1.0)))
        img[m] = tex[m]

    n_named, n_other = int(rng.integers(0, 7)), int(rng.integers(0, 7))
    if n_named + n_other == 0:
        n_named = 1
    kinds = ["named"] * n_named + ["other"] * n_other
    rng.shuffle(kinds)
    short = min(h, w)
    insts: list[Instance] = []
    full_masks: list[np.ndarray] = []
    for kind in kinds:
        colour = list(COLOURS)[int(rng.integers(0, len(COLOURS)))]
        shape = SHAPES[int(rng.integers(0, len(SHAPES)))] if kind == "named" else "shape"
        family = shape if kind == "named" else families[int(rng.integers(0, len(families)))]
        fill_kind = fills[int(rng.integers(0, len(fills)))]
        for _try in range(20):
            if rng.random() < 0.08:
                r_frac = float(rng.uniform(0.4, 0.75))  # image-filling
            else:
                r_frac = float(np.exp(rng.uniform(math.log(0.02), math.log(0.3))))
            r = r_frac * short
            cx = float(rng.uniform(min(r * 0.5, w / 2), max(w - r * 0.5, w / 2)))
            cy = float(rng.uniform(min(r * 0.5, h / 2), max(h - r * 0.5, h / 2)))
            th = float(rng.uniform(0, 2 * math.pi))
            if kind == "named":
                m = shape_mask(shape, h, w, cx, cy, r, th)
            else:
                m = family_mask(rng, family, h, w, cx, cy, r, th)
            if m.sum() > 30 and all((o.mask & ~m).sum() >= MIN_VISIBLE * fm.sum() for o, fm in zip(insts, full_masks)):
                break
        else:
            continue
        for o in insts:
            o.mask = o.mask & ~m
        for s in stuff:
            stuff[s] &= ~m
        ys, xs = np.nonzero(m)
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        tex = fill(rng, fill_kind, y1 - y0, x1 - x0, COLOURS[colour], float(rng.uniform(0.3, 1.0)))
        sub = m[y0:y1, x0:x1]
        img[y0:y1, x0:x1][sub] = tex[sub]
        insts.append(Instance(colour, shape, size_word(r_frac), m.copy(), (cx, cy), r, named=kind == "named",
                              family=family, fill=fill_kind))
        full_masks.append(m)
    insts = [o for o in insts if o.mask.sum() >= 20]
    stuff = {k: v for k, v in stuff.items() if v.sum() > 0.01 * h * w}

    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        pil = pil.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 1.4))))
    arr = np.asarray(pil, np.float32)
    if rng.random() < 0.6:
        arr = arr + rng.normal(0, float(rng.uniform(2, 9)), arr.shape).astype(np.float32)
    pil = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=int(rng.integers(35, 90)))
        pil = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    image = np.asarray(pil, np.uint8).copy()

    named = [o for o in insts if o.named]
    _referring(rng, named)
    for o in insts:
        if not o.named:
            o.referring, o.unique = "", False
    scene = Scene(image, insts, stuff)
    scene.world = split
    # the caption names the largest objects (at most MAX_CAPTION_OBJECTS), left to right
    mentioned = sorted(insts, key=lambda o: -int(o.mask.sum()))[:MAX_CAPTION_OBJECTS]
    view = Scene(image, mentioned, stuff)
    _caption(rng, view, h, w)
    scene.caption, scene.word_points = view.caption, view.word_points
    return scene


def scene_for(seed: int, index: int, world: str) -> Scene:
    """world: 'shapes' (the shapes world alone), 'train' (the wide world's
    training mix) or 'heldout' (held-out families and fills)."""
    if world == "shapes":
        return generate_scene(seed, index)
    return generate_wide_scene(seed, index, world)


__all__ = ["TRAIN_FAMILIES", "HELDOUT_FAMILIES", "TRAIN_FILLS", "HELDOUT_FILLS", "generate_wide_scene", "scene_for",
           "family_mask", "fill", "photo_field", "size_word", "scene_rng"]
