"""Run the trained model on a few real photographs from Debian's
python3-skimage data folder (out-of-domain check for MODEL_CARD.md).
Writes overlays to .work/photos/ and prints IoU-free observations: mask
coverage, predicted IoU and nearest label for a click, a box and a text prompt.

    /usr/bin/python3 models/training/try_photos.py [--ckpt PATH]"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import json
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate import Runner  # noqa: E402
from shapes_world import CATEGORIES  # noqa: E402

DATA = "/usr/lib/python3/dist-packages/skimage/data"
# (file, click (x, y), box (x0, y0, x1, y1), phrase) chosen on the object of interest
PHOTOS = [
    ("coffee.png", (300, 180), (200, 60, 440, 300), "the white circle"),
    ("chelsea.png", (150, 150), (60, 30, 300, 300), "the orange circle"),
    ("astronaut.png", (230, 110), (150, 20, 330, 220), "the white circle"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, ".work", "model.pt"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    runner = Runner(args.ckpt)
    out_dir = os.path.join(HERE, ".work", "photos")
    os.makedirs(out_dir, exist_ok=True)
    report = []
    for name, click, box, phrase in PHOTOS:
        img = np.asarray(Image.open(os.path.join(DATA, name)).convert("RGB"))
        hw = img.shape[:2]
        emb = runner.encode(img)
        rows = []
        for kind, kw in (("click", {"points": [click], "labels": [1]}), ("box", {"box": box}),
                         ("text", {"text": runner.text(phrase)})):
            mask, _, cls = runner.decode(emb, hw, **kw)
            sims = (cls @ runner.cat_text.t())
            lab = CATEGORIES[int(sims.argmax())]
            rows.append({"prompt": kind, "coverage": round(float(mask.mean()), 3), "label": lab,
                         "cosine": round(float(sims.max()), 3)})
            over = img.astype(np.float32).copy()
            over[mask] = 0.5 * over[mask] + 0.5 * np.array([255, 0, 0])
            Image.fromarray(over.astype(np.uint8)).save(os.path.join(out_dir, f"{name[:-4]}_{kind}.png"))
        report.append({"photo": name, "size": list(hw), "click": click, "box": box, "phrase": phrase, "results": rows})
        print(json.dumps(report[-1]))
    with open(os.path.join(HERE, ".work", "photos.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
