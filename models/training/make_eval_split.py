"""Write the built-in model's held-out split (EVAL_SEED: never trained on) as
an image folder with COCO ground truth, for `npm run eval:autolabel`:

    /usr/bin/python3 models/training/make_eval_split.py OUT_DIR COUNT [EXAMPLES_DIR EXAMPLE_COUNT]

EXAMPLES_DIR gets scenes of EVAL_SEED + 1 (also held out), from which the
by-example evaluation takes its examples, so no example lies in the images
it is scored on."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coco_io import write_dataset  # noqa: E402
from common import EVAL_SEED  # noqa: E402
from shapes_world import generate_scene  # noqa: E402


def main() -> None:
    out, count = sys.argv[1], int(sys.argv[2])
    write_dataset([(i + 1, generate_scene(EVAL_SEED, i)) for i in range(count)], out, "eval_", fmt="png")
    if len(sys.argv) >= 5:
        examples, n = sys.argv[3], int(sys.argv[4])
        write_dataset([(i + 1, generate_scene(EVAL_SEED + 1, i)) for i in range(n)], examples, "example_", fmt="png")
    print(f"wrote {count} held-out scenes to {out}")


if __name__ == "__main__":
    main()
