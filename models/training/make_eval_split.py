"""Write the built-in model's held-out split (EVAL_SEED: never trained on) as
an image folder with COCO ground truth.

    /usr/bin/python3 models/training/make_eval_split.py OUT_DIR COUNT [EXAMPLES_DIR EXAMPLE_COUNT]
    /usr/bin/python3 models/training/make_eval_split.py OUT_DIR --world shapes|train|heldout --objects N

The first form (`npm run eval:autolabel`): COUNT shapes-world scenes; EXAMPLES_DIR
gets scenes of EVAL_SEED + 1 (also held out), from which the by-example
evaluation takes its examples, so no example lies in the images it is scored on.

The second form (`npm run eval:worlds`): the scenes evaluate.py scores for a
world (`scene_for(EVAL_SEED, index, world)`, index 0, 1, ...), whole scenes
until at least N objects of 20 pixels or more (evaluate.py's rule), with
exact RLE ground truth and `objects.json`: per annotation id its referring
phrase, whether that phrase is unique, whether the object is one of the 64
named categories, its category, family and fill, or that it is stuff."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coco_io import write_dataset  # noqa: E402
from common import EVAL_SEED  # noqa: E402
from shapes_world import generate_scene  # noqa: E402

MIN_PIXELS = 20  # evaluate.py skips smaller objects


def write_world(out: str, world: str, objects: int) -> None:
    from wide_world import scene_for

    scenes, n = [], 0
    while n < objects:
        scene = scene_for(EVAL_SEED, len(scenes), world)
        scenes.append((len(scenes) + 1, scene))
        n += sum(int(inst.mask.sum() >= MIN_PIXELS) for inst in scene.instances)
    sources = write_dataset(scenes, out, f"{world}_", fmt="png", exact=True)
    sidecar = []
    for ann, src in sources:
        if isinstance(src, str):
            sidecar.append({"id": ann["id"], "image_id": ann["image_id"], "category": src, "stuff": True})
            continue
        sidecar.append({"id": ann["id"], "image_id": ann["image_id"], "category": src.category, "stuff": False,
                        "referring": src.referring, "unique": bool(src.unique), "named": bool(src.named),
                        "family": src.family, "fill": src.fill})
    with open(os.path.join(out, "objects.json"), "w") as f:
        json.dump({"world": world, "seed": EVAL_SEED, "scenes": len(scenes), "min_pixels": MIN_PIXELS,
                   "annotations": sidecar}, f, separators=(",", ":"))
    print(f"wrote {len(scenes)} {world} scenes ({n} objects of >= {MIN_PIXELS} px) to {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("count", nargs="?", type=int, help="shapes-world scenes (first form)")
    ap.add_argument("examples", nargs="?")
    ap.add_argument("example_count", nargs="?", type=int)
    ap.add_argument("--world", choices=("shapes", "train", "heldout"))
    ap.add_argument("--objects", type=int, help="with --world: at least this many objects")
    args = ap.parse_args()
    if args.world is not None:
        if args.objects is None or args.objects < 1 or args.count is not None:
            ap.error("--world takes --objects N (N >= 1) and no COUNT")
        write_world(args.out, args.world, args.objects)
        return
    if args.count is None:
        ap.error("give COUNT, or --world W --objects N")
    write_dataset([(i + 1, generate_scene(EVAL_SEED, i)) for i in range(args.count)], args.out, "eval_", fmt="png")
    if args.examples is not None and args.example_count is not None:
        write_dataset([(i + 1, generate_scene(EVAL_SEED + 1, i)) for i in range(args.example_count)], args.examples,
                      "example_", fmt="png")
    print(f"wrote {args.count} held-out scenes to {args.out}")


if __name__ == "__main__":
    main()
