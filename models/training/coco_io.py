"""Write shapes-world scenes as COCO instances (+ stuff), COCO captions and
Localized-Narratives-style JSON lines. Used by make_samples.py and
make_dataset.py so every copy of the data has one format."""
from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image, ImageDraw
from skimage.measure import approximate_polygon, find_contours

from shapes_world import CATEGORIES, STUFF, THING_CATEGORIES, Instance, Scene


def rle_encode(mask: np.ndarray) -> dict:
    """Uncompressed COCO RLE: column-major runs, starting with a 0-run."""
    flat = np.asarray(mask, np.uint8).flatten(order="F")
    cuts = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate([[0], cuts, [flat.size]])).tolist()
    if flat.size and flat[0] == 1:
        runs = [0] + runs
    return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": [int(c) for c in runs]}


def rle_decode(rle: dict) -> np.ndarray:
    h, w = rle["size"]
    flat = np.zeros(h * w, np.uint8)
    pos, val = 0, 0
    for c in rle["counts"]:
        flat[pos:pos + c] = val
        pos += c
        val ^= 1
    return flat.reshape((h, w), order="F").astype(bool)


def polygons_of(mask: np.ndarray) -> list[list[float]] | None:
    """Polygons for simple masks; None when they would not round-trip
    (holes, e.g. rings), so the caller falls back to RLE."""
    contours = find_contours(np.pad(mask.astype(np.float32), 1), 0.5)
    polys = []
    for c in contours:
        c = approximate_polygon(c, tolerance=0.6)
        if len(c) < 3:
            continue
        xy = np.stack([c[:, 1] - 1 + 0.5, c[:, 0] - 1 + 0.5], 1)
        ring = [round(float(v), 2) for v in xy.flatten()]
        # A contour of a one-pixel-wide line comes back as a zero-area ring
        # ([332.5,442,332.5,441,332.5,442]): no region, only a wider bbox.
        if _shoelace2(ring) == 0:
            continue
        polys.append(ring)
    if not polys:
        return None
    img = Image.new("L", (mask.shape[1], mask.shape[0]), 0)
    d = ImageDraw.Draw(img)
    for p in polys:
        d.polygon(list(zip(p[0::2], p[1::2])), fill=255)
    back = np.asarray(img) > 127
    iou = (back & mask).sum() / max(1, (back | mask).sum())
    return polys if iou >= 0.93 else None


def _shoelace2(ring: list[float]) -> float:
    """Twice the signed area of a flat [x0, y0, x1, y1, ...] ring."""
    xs, ys = ring[0::2], ring[1::2]
    return sum(xs[i] * ys[(i + 1) % len(xs)] - xs[(i + 1) % len(xs)] * ys[i] for i in range(len(xs)))


def category_table() -> list[dict]:
    cats = []
    for i, name in enumerate(CATEGORIES):
        thing = name in THING_CATEGORIES
        cats.append({"id": i + 1, "name": name, "supercategory": "shape" if thing else "stuff", "isthing": int(thing)})
    return cats


def write_dataset(scenes: list[tuple[int, Scene]], out_dir: str, prefix: str, fmt: str = "jpg",
                  quality: int = 88, exact: bool = False) -> list[tuple[dict, Instance | str]]:
    """Returns each annotation with what it came from (the instance, or the
    stuff name). `exact`: every segmentation as RLE (ground truth for
    evaluation; polygons only round-trip to IoU 0.93). Objects outside the 64
    names (the wide world's "<colour> shape") get categories after the 68."""
    os.makedirs(out_dir, exist_ok=True)
    cat_id = {name: i + 1 for i, name in enumerate(CATEGORIES)}
    extra_cats: list[dict] = []
    sources: list[tuple[dict, Instance | str]] = []
    images, anns, caps = [], [], []
    narr_lines = []
    ann_id = 1
    for image_id, scene in scenes:
        h, w = scene.image.shape[:2]
        fname = f"{prefix}{image_id:04d}.{fmt}"
        pil = Image.fromarray(scene.image)
        if fmt == "jpg":
            pil.save(os.path.join(out_dir, fname), quality=quality)
        else:
            pil.save(os.path.join(out_dir, fname), optimize=False)
        images.append({"id": image_id, "file_name": fname, "width": w, "height": h})
        for inst in scene.instances:
            if inst.mask.sum() == 0:
                continue
            x0, y0, x1, y1 = inst.box()
            if inst.category not in cat_id:
                cat_id[inst.category] = len(cat_id) + 1
                extra_cats.append({"id": cat_id[inst.category], "name": inst.category, "supercategory": "shape", "isthing": 1})
            polys = None if exact else polygons_of(inst.mask)
            seg = polys if polys is not None else rle_encode(inst.mask)
            anns.append({
                "id": ann_id, "image_id": image_id, "category_id": cat_id[inst.category],
                "segmentation": seg, "area": int(inst.mask.sum()),
                "bbox": [x0, y0, x1 - x0, y1 - y0], "iscrowd": 0,
                "phrase": inst.category, "size": inst.size, "referring": inst.referring,
                "referring_unique": inst.unique,
            })
            sources.append((anns[-1], inst))
            ann_id += 1
        for name in STUFF:
            if name not in scene.stuff:
                continue
            m = scene.stuff[name]
            ys, xs = np.nonzero(m)
            anns.append({
                "id": ann_id, "image_id": image_id, "category_id": cat_id[name],
                "segmentation": rle_encode(m), "area": int(m.sum()),
                "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)],
                "iscrowd": 0, "phrase": name,
            })
            sources.append((anns[-1], name))
            ann_id += 1
        caps.append({"id": image_id, "image_id": image_id, "caption": scene.caption})
        words = scene.caption.rstrip(".").replace(",", " ,").split()
        words = [wd for wd in words if wd != ","]
        pts = scene.word_points
        timed, trace = [], []
        for i, (wd, (px, py)) in enumerate(zip(words, pts)):
            t0, t1 = round(0.4 * i, 2), round(0.4 * i + 0.35, 2)
            timed.append({"utterance": wd, "start_time": t0, "end_time": t1})
            trace.append({"x": round(px / w, 4), "y": round(py / h, 4), "t": round((t0 + t1) / 2, 3)})
        narr_lines.append(json.dumps({
            "dataset_id": "shapes_world", "image_id": str(image_id), "annotator_id": 0,
            "caption": scene.caption, "timed_caption": timed, "traces": [trace],
            # Google's loader (LocalizedNarrative(**record)) needs every field; no voice here.
            "voice_recording": "",
        }, separators=(",", ":")))
    info = {"description": "promptlabel shapes world (synthetic)", "version": "1.0", "year": 2026}
    lic = [{"id": 1, "name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"}]
    with open(os.path.join(out_dir, "annotations.coco.json"), "w") as f:
        json.dump({"info": info, "licenses": lic, "images": images, "annotations": anns,
                   "categories": category_table() + extra_cats}, f, separators=(",", ":"))
    with open(os.path.join(out_dir, "captions.coco.json"), "w") as f:
        json.dump({"info": info, "licenses": lic, "images": images, "annotations": caps}, f, separators=(",", ":"))
    with open(os.path.join(out_dir, "narratives.jsonl"), "w") as f:
        f.write("\n".join(narr_lines) + "\n")
    return sources
