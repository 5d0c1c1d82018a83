"""Training scenes on the fly: wide-world scenes rendered into the model frame
by parallel worker processes, with the prompt
material that needs no model (clicks, exact boxes, scribbles, interior points
for captions) computed there too, and a rolling buffer in the main process
that training samples from while the workers keep replacing its oldest
scenes. Nothing is written to disk.

Record (one scene): image uint8 [S,S,3] (resized, zero-padded), idmap uint8
[S,S] (object i -> i+1, stuff k -> STUFF_ID0 + k), meta (json-able):
  rhw, world, objs [{id, cat (-1 = unnamed), colour, shape, size, ref, unique,
  pt, click_c, click_r, box, scribble}], stuff [{id, cat, name, pt, click_c,
  click_r, box, scribble}], caption (word ids), points (model-frame px)."""
from __future__ import annotations

import multiprocessing as mp
import queue

import numpy as np

from captions import caption_words, encode_words
from common import INPUT_SIZE, resize_image, resize_mask, resized_hw
from prompts import box_of, center_click, random_click, scribble
from shapes_world import CATEGORIES, STUFF, THING_CATEGORIES, Scene, interior_point
from wide_world import scene_for

STUFF_ID0 = 200
SCRIBBLE_POINTS = 128


def _prompt_material(rng: np.random.Generator, m: np.ndarray) -> dict:
    return {"click_c": list(center_click(m)), "click_r": list(random_click(rng, m)), "box": list(box_of(m)),
            "scribble": scribble(rng, m, max_points=SCRIBBLE_POINTS).round(2).tolist()}


def render(scene: Scene, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    h, w = scene.image.shape[:2]
    nh, nw = resized_hw(h, w)
    sx, sy = nw / w, nh / h
    img = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
    r = resize_image(scene.image)
    img[: r.shape[0], : r.shape[1]] = r
    idmap = np.zeros((INPUT_SIZE, INPUT_SIZE), np.uint8)
    stuff = []
    for k, name in enumerate(STUFF):
        if name not in scene.stuff:
            continue
        m = resize_mask(scene.stuff[name])
        if m.sum() < 4:
            continue
        idmap[: m.shape[0], : m.shape[1]][m] = STUFF_ID0 + k
        px, py = interior_point(scene.stuff[name])
        stuff.append({"id": STUFF_ID0 + k, "cat": len(THING_CATEGORIES) + k, "name": name, "pt": [px * sx, py * sy]})
    objs = []
    for i, inst in enumerate(scene.instances):
        m = resize_mask(inst.mask)
        if m.sum() < 4:
            continue
        idmap[: m.shape[0], : m.shape[1]][m] = i + 1
        px, py = interior_point(inst.mask)
        objs.append({"id": i + 1, "cat": CATEGORIES.index(inst.category) if inst.named else -1,
                     "colour": inst.colour, "shape": inst.shape, "size": inst.size, "ref": inst.referring,
                     "unique": inst.unique, "pt": [px * sx, py * sy]})
    # prompt material on the FINAL visible masks (later objects and stuff overwrite)
    for t in objs + stuff:
        m = idmap == t["id"]
        if not m.any():
            t["gone"] = True
            continue
        t.update(_prompt_material(rng, m))
    objs = [o for o in objs if not o.get("gone")]
    stuff = [s for s in stuff if not s.get("gone")]
    words = caption_words(scene.caption)
    if len(words) != len(scene.word_points):
        raise ValueError(f"caption words {len(words)} != points {len(scene.word_points)}: {scene.caption!r}")
    meta = {"hw": [h, w], "rhw": [nh, nw], "world": scene.world, "objs": objs, "stuff": stuff,
            "caption": encode_words(words), "points": [[x * sx, y * sy] for x, y in scene.word_points]}
    return img, idmap, meta


def _worker(seed: int, start: int, j: int, n: int, world: str, out) -> None:
    """Worker j of n renders indices start + j, start + j + n, ... (no two
    workers repeat a scene) into the queue until it is terminated."""
    index = start + j
    while True:
        out.put(render_index(seed, index, world))
        index += n


def render_index(seed: int, index: int, world: str = "train") -> tuple[np.ndarray, np.ndarray, dict]:
    img, idmap, meta = render(scene_for(seed, index, world), np.random.default_rng([seed, index, 5]))
    meta["index"] = index
    return img, idmap, meta


class SceneBuffer:
    """The scenes training samples from: `capacity` slots, the oldest replaced
    by each new scene. `workers` processes render scenes into a queue that a
    training step drains without waiting; with 0 workers each refresh renders
    one scene in this process."""

    def __init__(self, seed: int, capacity: int, workers: int, start: int = 0, world: str = "train"):
        self.capacity = capacity
        self.images = np.zeros((capacity, INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
        self.idmaps = np.zeros((capacity, INPUT_SIZE, INPUT_SIZE), np.uint8)
        self.metas: list[dict] = []
        self.next_slot = 0
        self.received = 0
        self.seed, self.world, self.next_index = seed, world, start
        self._by_cat: dict[int, list[int]] | None = None
        self.procs = []
        if workers > 0:
            ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
            self.queue = ctx.Queue(maxsize=max(64, 8 * workers))
            for j in range(workers):
                p = ctx.Process(target=_worker, args=(seed, start, j, workers, world, self.queue), daemon=True)
                p.start()
                self.procs.append(p)

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.join(timeout=5)
        self.procs = []

    def _next(self, block: bool):
        if not self.procs:
            item = render_index(self.seed, self.next_index, self.world)
            self.next_index += 1
            return item
        return self.queue.get(timeout=600) if block else self.queue.get_nowait()

    def _add(self, item) -> None:
        img, idmap, meta = item
        s = self.next_slot
        self.images[s], self.idmaps[s] = img, idmap
        if s < len(self.metas):
            self.metas[s] = meta
        else:
            self.metas.append(meta)
        self.next_slot = (s + 1) % self.capacity
        self.received += 1
        self._by_cat = None

    def fill(self, at_least: int) -> None:
        """Blocks until the buffer holds `at_least` scenes (the start of a run)."""
        while len(self.metas) < min(at_least, self.capacity):
            self._add(self._next(block=True))

    def refresh(self, limit: int) -> int:
        """Takes the scenes that are ready (at most `limit`) without waiting."""
        n = 0
        while n < (limit if self.procs else 1):
            try:
                self._add(self._next(block=False))
            except queue.Empty:
                break
            n += 1
        return n

    def __len__(self) -> int:
        return len(self.metas)

    @property
    def by_cat(self) -> dict[int, list[int]]:
        """Named category -> buffer slots holding it (reference-region pairs)."""
        if self._by_cat is None:
            by: dict[int, list[int]] = {}
            for s, m in enumerate(self.metas):
                for t in m["objs"] + m["stuff"]:
                    if t["cat"] >= 0:
                        by.setdefault(t["cat"], []).append(s)
            self._by_cat = by
        return self._by_cat

    def targets(self, s: int) -> list[dict]:
        m = self.metas[s]
        return m["objs"] + m["stuff"]
