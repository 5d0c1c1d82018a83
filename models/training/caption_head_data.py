"""Scenes for training a caption head on a shipped model's frozen features
(PixelLLM's setup: the image encoder stays as it is, only the captioner
learns). Writes each scene's image as a PNG (what the app's encoder reads,
through the app's own preprocessing: encode_scenes.ts), its caption with one
model-frame point per word and its targets (meta.jsonl, scene_stream.render's
record), and for held-out scenes the model-frame id map that scores points.

    /usr/bin/python3 models/training/caption_head_data.py OUT COUNT [--start I] [--seed S] [--world shapes] [--idmaps]

(--start: the first scene index, so several processes can each write a part.)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TRAIN_SEED  # noqa: E402
from scene_stream import render  # noqa: E402
from wide_world import scene_for  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("count", type=int)
    ap.add_argument("--start", type=int, default=0, help="first scene index")
    ap.add_argument("--seed", type=int, default=TRAIN_SEED)
    ap.add_argument("--world", default="shapes", choices=["shapes", "train", "heldout"])
    ap.add_argument("--idmaps", action="store_true", help="also write the model-frame id maps (scoring held-out points)")
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    if args.idmaps:
        os.makedirs(os.path.join(args.out, "idmaps"), exist_ok=True)
    with open(os.path.join(args.out, "meta.jsonl"), "w") as f:
        for i in range(args.start, args.start + args.count):
            scene = scene_for(args.seed, i, args.world)
            _, idmap, meta = render(scene, np.random.default_rng([args.seed, i, 5]))
            name = f"{i:06d}.png"
            Image.fromarray(scene.image).save(os.path.join(args.out, "images", name))
            if args.idmaps:
                Image.fromarray(idmap).save(os.path.join(args.out, "idmaps", name))
            # the scribbles and clicks are prompt material the caption head never reads
            for t in meta["objs"] + meta["stuff"]:
                for k in ("scribble", "click_c", "click_r"):
                    t.pop(k, None)
            f.write(json.dumps({"image": name, "index": i, "seed": args.seed, **meta}) + "\n")
    print(f"wrote scenes {args.start}..{args.start + args.count - 1} (seed {args.seed}, world {args.world}) to {args.out}")


if __name__ == "__main__":
    main()
