"""Evaluate shapes-seem-tiny (PyTorch weights, same graph as the ONNX export,
see parity_check.ts for the numerical ONNX check) on a held-out shapes-world
split generated with EVAL_SEED at original resolution.

    /usr/bin/python3 models/training/evaluate.py [--ckpt PATH] [--min-objects 500]

Prints and writes .work/eval.json: 1-click mIoU, NoC@85/@90 (max 20 clicks,
first click at the distance-transform maximum, next clicks at the centre of
the largest error region, previous low-res mask fed back), box mIoU,
scribble mIoU, text-referring mIoU, reference-region mIoU, and label top-1
accuracy of the 1-click mask against every category phrase."""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import json
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import EVAL_SEED, GRID, INPUT_SIZE, normalise_pad, resize_image, resized_hw, to_model_xy  # noqa: E402
from export import load  # noqa: E402
from model import C_EMB, D_TEXT, postprocess_masks  # noqa: E402
from prompts import box_of, center_click, correction_click, region_cells_from_box, scribble  # noqa: E402
from shapes_world import CATEGORIES, generate_scene  # noqa: E402
from tokenizer import tokenize, vocab_index  # noqa: E402

LR = 4 * GRID


class Runner:
    def __init__(self, ckpt: str):
        self.enc, self.dec, self.txt, self.state = load(ckpt)
        self.voc = vocab_index()
        with torch.no_grad():
            self.cat_text = torch.cat([self.text(c) for c in CATEGORIES])

    @torch.no_grad()
    def text(self, phrase: str) -> torch.Tensor:
        ids = torch.tensor([tokenize(phrase, self.voc)])
        return self.txt(ids, torch.ones_like(ids))

    @torch.no_grad()
    def encode(self, image: np.ndarray) -> torch.Tensor:
        return self.enc(torch.from_numpy(normalise_pad(resize_image(image)))[None])

    @torch.no_grad()
    def decode(self, emb, hw, points=(), labels=(), box=None, mask_input=None, text=None, ref=None):
        """points/box in ORIGINAL image px. Returns (best mask bool HxW, low-res logits, class emb)."""
        h, w = hw
        pts = [to_model_xy(x, y, h, w) for x, y in points]
        labs = list(labels)
        if box is not None:
            pts += [to_model_xy(box[0], box[1], h, w), to_model_xy(box[2], box[3], h, w)]
            labs += [2, 3]
        else:
            pts.append((0.0, 0.0))
            labs.append(-1)
        coords = torch.tensor([pts], dtype=torch.float32)
        lab = torch.tensor([labs], dtype=torch.float32)
        mi = torch.zeros(1, 1, LR, LR) if mask_input is None else mask_input.view(1, 1, LR, LR)
        hm = torch.tensor([0.0 if mask_input is None else 1.0])
        t = torch.zeros(1, D_TEXT) if text is None else text
        r = torch.zeros(1, C_EMB) if ref is None else ref
        low, iou, cls = self.dec(emb, coords, lab, mi, hm, t, torch.tensor([float(text is not None)]), r,
                                 torch.tensor([float(ref is not None)]))
        k = int(iou[0].argmax())
        mask = postprocess_masks(low[:, k:k + 1], torch.tensor([float(h), float(w)]))[0, 0] > 0
        return mask.numpy(), low[0, k], cls[0, k]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    u = (a | b).sum()
    return float((a & b).sum() / u) if u else 1.0


def ref_embedding(runner: Runner, category: str, index: int) -> torch.Tensor:
    """Box region of an object of `category` in ANOTHER scene (seed EVAL_SEED+1)."""
    scene = generate_scene(EVAL_SEED + 1, index, force_category=category)
    inst = next(i for i in scene.instances if i.category == category and i.mask.any())
    emb = runner.encode(scene.image)
    h, w = scene.image.shape[:2]
    x0, y0, x1, y1 = box_of(inst.mask)
    (mx0, my0), (mx1, my1) = to_model_xy(x0, y0, h, w), to_model_xy(x1, y1, h, w)
    cells = torch.from_numpy(region_cells_from_box((mx0, my0, mx1, my1)).astype(np.float32))
    return ((emb[0] * cells).sum((1, 2)) / cells.sum())[None]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, ".work", "model.pt"))
    ap.add_argument("--min-objects", type=int, default=500)
    ap.add_argument("--out", default=os.path.join(HERE, ".work", "eval.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    runner = Runner(args.ckpt)
    rng = np.random.default_rng(EVAL_SEED)
    res: dict[str, list[float]] = {k: [] for k in ["click1", "noc85", "noc90", "box", "scribble", "text", "ref",
                                                   "label", "label_colour", "label_shape", "stuff_click1", "stuff_label"]}
    n_obj, index, t0 = 0, 0, time.time()
    while n_obj < args.min_objects:
        scene = generate_scene(EVAL_SEED, index)
        hw = scene.image.shape[:2]
        emb = runner.encode(scene.image)
        for inst in scene.instances:
            gt = inst.mask
            if gt.sum() < 20:
                continue
            n_obj += 1
            cat = CATEGORIES.index(inst.category)
            # clicks: 1-click, then corrections (NoC)
            pts, labs, prev = [center_click(gt)], [1], None
            noc85 = noc90 = 20
            for c in range(1, 21):
                mask, low, cls = runner.decode(emb, hw, pts, labs, mask_input=prev)
                v = iou(mask, gt)
                if c == 1:
                    res["click1"].append(v)
                    predicted_id = int((cls @ runner.cat_text.t()).argmax())
                    predicted = CATEGORIES[predicted_id].split(" ")
                    colour, shape = inst.category.split(" ")
                    res["label"].append(float(predicted_id == cat))
                    res["label_colour"].append(float(predicted[0] == colour))
                    res["label_shape"].append(float(predicted[-1] == shape))
                if v >= 0.85 and noc85 == 20:
                    noc85 = c
                if v >= 0.90:
                    noc90 = c
                    break
                nxt = correction_click(mask, gt)
                if nxt is None:
                    break
                pts.append((nxt[0], nxt[1]))
                labs.append(nxt[2])
                prev = low
            res["noc85"].append(noc85)
            res["noc90"].append(noc90)
            res["box"].append(iou(runner.decode(emb, hw, box=box_of(gt))[0], gt))
            s = scribble(rng, gt)
            res["scribble"].append(iou(runner.decode(emb, hw, [tuple(p) for p in s], [1] * len(s))[0], gt))
            if inst.unique:
                res["text"].append(iou(runner.decode(emb, hw, text=runner.text(inst.referring))[0], gt))
            same = np.zeros_like(gt)
            for o in scene.instances:
                if o.category == inst.category:
                    same |= o.mask
            res["ref"].append(iou(runner.decode(emb, hw, ref=ref_embedding(runner, inst.category, n_obj))[0], same))
        for name, m in scene.stuff.items():
            mask, _, cls = runner.decode(emb, hw, [center_click(m)], [1])
            res["stuff_click1"].append(iou(mask, m))
            res["stuff_label"].append(float(int((cls @ runner.cat_text.t()).argmax()) == CATEGORIES.index(name)))
        index += 1
        if index % 10 == 0:
            print(f"{index} scenes, {n_obj} objects, {time.time() - t0:.0f}s, 1-click {np.mean(res['click1']):.3f}",
                  flush=True)
    summary = {
        "scenes": index, "objects": n_obj, "seed": EVAL_SEED, "steps": int(runner.state.get("step", 0)),
        "label_steps": int(runner.state.get("label_steps", 0)),
        "mIoU_1click": float(np.mean(res["click1"])),
        "NoC85": float(np.mean(res["noc85"])), "NoC90": float(np.mean(res["noc90"])),
        "NoC90_failures_at_20": int(np.sum(np.array(res["noc90"]) >= 20)),
        "box_mIoU": float(np.mean(res["box"])), "scribble_mIoU": float(np.mean(res["scribble"])),
        "text_mIoU": float(np.mean(res["text"])), "text_n": len(res["text"]),
        "ref_mIoU": float(np.mean(res["ref"])),
        "label_top1": float(np.mean(res["label"])),
        "label_colour_right": float(np.mean(res["label_colour"])), "label_shape_right": float(np.mean(res["label_shape"])),
        "head_steps": int(runner.state.get("head_steps", 0)),
        "stuff_mIoU_1click": float(np.mean(res["stuff_click1"])), "stuff_label_top1": float(np.mean(res["stuff_label"])),
        "stuff_n": len(res["stuff_click1"]), "seconds": round(time.time() - t0, 1),
    }
    print(json.dumps(summary, indent=1))
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
