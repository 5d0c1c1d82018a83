"""Write assets/samples/: 24 shapes-world images + COCO instances/stuff,
COCO captions and narratives.jsonl. Seed 7 (not a training/eval seed)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coco_io import write_dataset  # noqa: E402
from shapes_world import generate_scene  # noqa: E402

SAMPLE_SEED = 7
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main() -> None:
    out = os.path.join(ROOT, "assets", "samples")
    scenes = [(i + 1, generate_scene(SAMPLE_SEED, i, size_range=(192, 640))) for i in range(24)]
    write_dataset(scenes, out, "shapes_", fmt="jpg", quality=85)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"wrote {len(scenes)} samples to {out} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
