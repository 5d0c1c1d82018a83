"""Facts about the wide world that its test (test/unit/models/trainV2.test.ts)
checks, printed as one JSON object: which shape families and fill kinds each
split draws, that the named objects use only the 64 thing names, that every
caption has one point per word, that scenes are pure functions of their
arguments, and the spread of object sizes.

    /usr/bin/python3 models/training/check_wide_world.py [SCENES]"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import caption_words  # noqa: E402
from shapes_world import CATEGORIES  # noqa: E402
from wide_world import generate_wide_scene  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    out: dict = {}
    for split in ("train", "heldout"):
        fam, fills, worlds, named, bad_names, area = set(), set(), set(), 0, [], []
        captions_aligned = True
        points_inside = []
        for i in range(n):
            s = generate_wide_scene(11, i, split)
            worlds.add(s.world)
            h, w = s.image.shape[:2]
            captions_aligned &= len(caption_words(s.caption)) == len(s.word_points)
            for o in s.instances:
                area.append(float(o.mask.sum()) / (h * w))
                if o.family:
                    (fam if not o.named else set()).add(o.family)
                if o.fill:
                    fills.add(o.fill)
                if o.named:
                    named += 1
                    if o.category not in CATEGORIES:
                        bad_names.append(o.category)
            for x, y in s.word_points:
                points_inside.append(any(o.mask[min(h - 1, int(y)), min(w - 1, int(x))] for o in s.instances)
                                     or any(m[min(h - 1, int(y)), min(w - 1, int(x))] for m in s.stuff.values()))
        a, b = generate_wide_scene(11, 3, split), generate_wide_scene(11, 3, split)
        c = generate_wide_scene(12, 3, split)
        out[split] = {"families": sorted(fam), "fills": sorted(fills), "worlds": sorted(worlds), "named": named,
                      "bad_names": bad_names, "captions_aligned": bool(captions_aligned),
                      "word_points_on_something": float(np.mean(points_inside)),
                      "deterministic": bool(np.array_equal(a.image, b.image) and a.caption == b.caption),
                      "seed_changes_scene": not np.array_equal(a.image, c.image) if a.image.shape == c.image.shape else True,
                      "area_min": min(area), "area_max": max(area)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
