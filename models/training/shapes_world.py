"""Synthetic "shapes world": the ONE scene generator used by training,
evaluation, the sample assets and the tests.

Every scene is a pure function of (seed, index): a numpy Generator seeded
with SeedSequence([seed, index]) drives every random choice, so the same
arguments always give the same bytes (see check_determinism.py).

A scene holds 1-10 objects (shape x colour x size, textured fills, partial
occlusion) over a textured background with "stuff" regions (sky, water,
grass, sand) that are regions, not objects. Ground truth: visible instance
masks, boxes, category phrases ("red circle"), stuff masks, unique referring
phrases ("the small blue triangle left of the red circle") and a caption with
one point per word (Localized-Narratives style).
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 175, 60),
    "blue": (40, 80, 225),
    "yellow": (240, 215, 40),
    "purple": (145, 60, 185),
    "orange": (250, 140, 30),
    "white": (245, 245, 245),
    "black": (25, 25, 25),
}
SHAPES = ["circle", "square", "triangle", "star", "hexagon", "ring", "diamond", "cross"]
# radius as a fraction of the image's shorter side
SIZES: dict[str, tuple[float, float]] = {
    "small": (0.05, 0.075),
    "medium": (0.09, 0.13),
    "large": (0.15, 0.21),
}
STUFF = ["sky", "water", "grass", "sand"]
STUFF_COLOURS: dict[str, tuple[int, int, int]] = {
    "sky": (140, 195, 240),
    "water": (35, 95, 145),
    "grass": (80, 140, 55),
    "sand": (220, 195, 140),
}
RELATIONS = ["left of", "right of", "above", "below"]

THING_CATEGORIES = [f"{c} {s}" for c in COLOURS for s in SHAPES]
CATEGORIES = THING_CATEGORIES + STUFF  # the label vocabulary, in a fixed order


@dataclass
class Instance:
    colour: str
    shape: str
    size: str
    mask: np.ndarray  # bool HxW, visible part
    centre: tuple[float, float]
    radius: float
    referring: str = ""
    unique: bool = True
    # the wide world (wide_world.py) adds objects outside the 64 names: their
    # `shape` is the word "shape", `family` says what they really are
    named: bool = True
    family: str = ""
    fill: str = ""

    @property
    def category(self) -> str:
        return f"{self.colour} {self.shape}"

    def box(self) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(self.mask)
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@dataclass
class Scene:
    image: np.ndarray  # uint8 HxWx3
    instances: list[Instance]
    stuff: dict[str, np.ndarray]  # name -> bool mask (visible)
    caption: str = ""
    word_points: list[tuple[float, float]] = field(default_factory=list)
    world: str = "shapes"  # which generator made it (wide_world.py: "train" / "heldout" / "shapes")


def scene_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


# ---------------------------------------------------------------- textures

def _texture(rng: np.random.Generator, h: int, w: int, base: tuple[int, int, int], strength: float) -> np.ndarray:
    """A fill of colour `base` modulated by noise, stripes or a gradient.

    The modulation keeps the hue so the colour name stays true."""
    base_arr = np.array(base, np.float32)
    kind = rng.integers(0, 4)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == 0:  # solid
        mod = np.ones((h, w), np.float32)
    elif kind == 1:  # stripes
        period = rng.uniform(6, 24)
        ang = rng.uniform(0, math.pi)
        phase = (xx * math.cos(ang) + yy * math.sin(ang)) / period
        mod = 1.0 - strength * 0.5 * (np.sin(phase * 2 * math.pi) > 0)
    elif kind == 2:  # gradient
        ang = rng.uniform(0, 2 * math.pi)
        t = xx * math.cos(ang) + yy * math.sin(ang)
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
        mod = 1.0 - strength * 0.4 * t
    else:  # smooth noise
        small = rng.random((max(2, h // 16), max(2, w // 16))).astype(np.float32)
        noise = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.BILINEAR), np.float32) / 255
        mod = 1.0 - strength * 0.35 * noise
    out = base_arr[None, None, :] * mod[:, :, None]
    if base_arr.mean() < 60:  # dark colours: modulate upwards so texture is visible
        out = base_arr[None, None, :] + (1 - mod[:, :, None]) * 60
    out += rng.normal(0, 4 * strength, (h, w, 1)).astype(np.float32)
    return out


def _wavy_band(rng: np.random.Generator, h: int, w: int, top: bool, frac: float) -> np.ndarray:
    xs = np.arange(w, dtype=np.float32)
    amp = rng.uniform(0, 0.04) * h
    freq = rng.uniform(1, 4) * 2 * math.pi / w
    edge = frac * h + amp * np.sin(xs * freq + rng.uniform(0, 6.28))
    yy = np.arange(h, dtype=np.float32)[:, None]
    return yy < edge[None, :] if top else yy >= (h - edge[None, :])


def _blob(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.35, 0.8) * h
    rx, ry = rng.uniform(0.12, 0.3) * w, rng.uniform(0.08, 0.2) * h
    n = 24
    ang = np.linspace(0, 2 * math.pi, n, endpoint=False)
    rad = 1 + 0.15 * rng.standard_normal(n)
    pts = [(cx + rx * r * math.cos(a), cy + ry * r * math.sin(a)) for a, r in zip(ang, rad)]
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).polygon(pts, fill=255)
    return np.asarray(img) > 127


# ------------------------------------------------------------------ shapes

def _polygon(shape: str, cx: float, cy: float, r: float, th: float) -> list[tuple[float, float]]:
    def ring_pts(n: int, radii: list[float], offset: float) -> list[tuple[float, float]]:
        out = []
        for k in range(n):
            a = th + offset + 2 * math.pi * k / n
            rr = r * radii[k % len(radii)]
            out.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        return out

    if shape == "square":
        return ring_pts(4, [1.0], math.pi / 4)
    if shape == "triangle":
        return ring_pts(3, [1.0], -math.pi / 2)
    if shape == "hexagon":
        return ring_pts(6, [1.0], 0)
    if shape == "star":
        return ring_pts(10, [1.0, 0.45], -math.pi / 2)
    if shape == "diamond":
        base = [(0, -1.0), (0.6, 0), (0, 1.0), (-0.6, 0)]
    elif shape == "cross":
        a = 0.33
        base = [(-a, -1), (a, -1), (a, -a), (1, -a), (1, a), (a, a), (a, 1), (-a, 1), (-a, a), (-1, a), (-1, -a), (-a, -a)]
    else:
        raise ValueError(shape)
    c, s = math.cos(th), math.sin(th)
    return [(cx + r * (x * c - y * s), cy + r * (x * s + y * c)) for x, y in base]


def shape_mask(shape: str, h: int, w: int, cx: float, cy: float, r: float, th: float) -> np.ndarray:
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    if shape in ("circle", "ring"):
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
        if shape == "ring":
            ri = 0.55 * r
            d.ellipse([cx - ri, cy - ri, cx + ri, cy + ri], fill=0)
    else:
        d.polygon(_polygon(shape, cx, cy, r, th), fill=255)
    return np.asarray(img) > 127


# ------------------------------------------------------------------ scenes

def _relation_holds(a: Instance, b: Instance, rel: str) -> bool:
    dx, dy = a.centre[0] - b.centre[0], a.centre[1] - b.centre[1]
    if rel == "left of":
        return dx < 0 and abs(dx) > abs(dy)
    if rel == "right of":
        return dx > 0 and abs(dx) > abs(dy)
    if rel == "above":
        return dy < 0 and abs(dy) > abs(dx)
    return dy > 0 and abs(dy) > abs(dx)


def _referring(rng: np.random.Generator, insts: list[Instance]) -> None:
    """Give each instance the shortest phrase that singles it out."""
    for inst in insts:
        same = [o for o in insts if o.category == inst.category]
        if len(same) == 1:
            inst.referring = f"the {inst.category}" if rng.random() < 0.6 else inst.category
            continue
        if sum(o.size == inst.size for o in same) == 1:
            inst.referring = f"the {inst.size} {inst.category}"
            continue
        options = []
        for other in insts:
            if other is inst or sum(o.category == other.category for o in insts) != 1:
                continue
            for rel in RELATIONS:
                if _relation_holds(inst, other, rel) and not any(
                    _relation_holds(o, other, rel) for o in same if o is not inst
                ):
                    options.append(f"the {inst.category} {rel} the {other.category}")
        if options:
            inst.referring = options[int(rng.integers(0, len(options)))]
        else:
            inst.referring = f"the {inst.size} {inst.category}"
            inst.unique = False


def interior_point(mask: np.ndarray) -> tuple[float, float]:
    """The point farthest from the boundary (distance-transform maximum)."""
    from ndimage import distance_transform_edt

    ys, xs = np.nonzero(mask)
    y0, x0 = int(ys.min()), int(xs.min())
    sub = mask[y0:int(ys.max()) + 1, x0:int(xs.max()) + 1]
    dt = distance_transform_edt(np.pad(sub, 1))[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(dt)), dt.shape)
    return float(x + x0) + 0.5, float(y + y0) + 0.5


def _caption(rng: np.random.Generator, scene: Scene, h: int, w: int) -> None:
    """A caption with one point per word: words about an object or a stuff
    region point at it; other words point where the trace is heading next."""
    words: list[tuple[str, tuple[float, float] | None]] = []
    objs = sorted(scene.instances, key=lambda o: o.centre[0])
    if objs:
        words += [("there", None), ("is" if len(objs) == 1 else "are", None)]
        for i, o in enumerate(objs):
            p = interior_point(o.mask)
            if i > 0:
                words.append(("and" if i == len(objs) - 1 else ",", None))
            words += [("a", None), (o.size, p), (o.colour, p), (o.shape, p)]
    stuff_names = [s for s in STUFF if s in scene.stuff]
    if stuff_names:
        words += [("with", None)]
        for i, s in enumerate(stuff_names):
            if i > 0:
                words.append(("and", None))
            words += [(s, interior_point(scene.stuff[s]))]
    if not words:
        words = [("an", None), ("empty", None), ("scene", None)]
    # fill non-visual words with the next visual point (the mouse moves on)
    pts: list[tuple[float, float] | None] = [p for _, p in words]
    nxt: tuple[float, float] = (w / 2, h / 2)
    for i in range(len(pts) - 1, -1, -1):
        if pts[i] is None:
            pts[i] = nxt
        else:
            nxt = pts[i]  # type: ignore[assignment]
    text = " ".join(wd for wd, _ in words).replace(" ,", ",")
    scene.caption = text[0].upper() + text[1:] + "."
    scene.word_points = [p for p in pts if p is not None]


def generate_scene(seed: int, index: int, size_range: tuple[int, int] = (192, 768),
                   force_category: str | None = None) -> Scene:
    rng = scene_rng(seed, index)
    long_side = int(rng.integers(size_range[0], size_range[1] + 1))
    aspect = float(rng.uniform(0.6, 1.0))
    if rng.random() < 0.5:
        w, h = long_side, max(size_range[0] // 2, int(long_side * aspect))
    else:
        h, w = long_side, max(size_range[0] // 2, int(long_side * aspect))

    # background: a neutral textured colour
    grey = int(rng.integers(95, 195))  # near-grey so it never passes for stuff
    bg_col = tuple(int(np.clip(grey + t, 0, 255)) for t in rng.integers(-18, 19, 3))
    img = _texture(rng, h, w, bg_col, float(rng.uniform(0.3, 1.0)))

    # stuff regions, later ones cover earlier ones
    stuff_raw: list[tuple[str, np.ndarray]] = []
    if rng.random() < 0.6:
        stuff_raw.append(("sky", _wavy_band(rng, h, w, True, float(rng.uniform(0.2, 0.45)))))
    if rng.random() < 0.55:
        name = ["water", "grass", "sand"][int(rng.integers(0, 3))]
        stuff_raw.append((name, _wavy_band(rng, h, w, False, float(rng.uniform(0.2, 0.4)))))
    if rng.random() < 0.3:
        name = ["water", "grass", "sand"][int(rng.integers(0, 3))]
        stuff_raw.append((name, _blob(rng, h, w)))
    stuff: dict[str, np.ndarray] = {}
    for name, m in stuff_raw:
        for k in stuff:
            stuff[k] &= ~m
        stuff[name] = stuff.get(name, np.zeros((h, w), bool)) | m
        tex = _texture(rng, h, w, STUFF_COLOURS[name], float(rng.uniform(0.3, 1.0)))
        img[m] = tex[m]

    # objects, painted back to front; visible masks shrink under occluders
    n_obj = int(rng.integers(1, 11))
    short = min(h, w)
    insts: list[Instance] = []
    full_masks: list[np.ndarray] = []
    for k in range(n_obj):
        if k == 0 and force_category is not None:
            colour, shape = force_category.split(" ")
        else:
            colour = list(COLOURS)[int(rng.integers(0, len(COLOURS)))]
            shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
        size = list(SIZES)[int(rng.integers(0, 3))]
        for _try in range(20):
            r = float(rng.uniform(*SIZES[size])) * short
            cx = float(rng.uniform(r * 0.8, w - r * 0.8))
            cy = float(rng.uniform(r * 0.8, h - r * 0.8))
            th = float(rng.uniform(0, 2 * math.pi))
            m = shape_mask(shape, h, w, cx, cy, r, th)
            # keep every earlier object at least 55 % visible
            if all((o.mask & ~m).sum() >= 0.55 * fm.sum() for o, fm in zip(insts, full_masks)) and m.sum() > 30:
                break
        else:
            continue
        for o in insts:
            o.mask = o.mask & ~m
        for s in stuff:
            stuff[s] &= ~m
        ys, xs = np.nonzero(m)
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        tex = _texture(rng, y1 - y0, x1 - x0, COLOURS[colour], float(rng.uniform(0.2, 1.0)))
        sub = m[y0:y1, x0:x1]
        img[y0:y1, x0:x1][sub] = tex[sub]
        insts.append(Instance(colour, shape, size, m.copy(), (cx, cy), r))
        full_masks.append(m)
    stuff = {k: v for k, v in stuff.items() if v.sum() > 0.01 * h * w}

    # camera effects: blur, noise, JPEG
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

    _referring(rng, insts)
    scene = Scene(image, insts, stuff)
    _caption(rng, scene, h, w)
    return scene
