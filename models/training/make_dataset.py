"""Pre-render a training cache of shapes-world scenes in the model frame
(S x S, longest side resized, bottom-right padded) into .work/ (gitignored).

usage: make_dataset.py OUT_DIR SEED START COUNT"""
import os

# one CPU thread for everything (the machine is shared)
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import INPUT_SIZE, resize_image, resize_mask  # noqa: E402
from shapes_world import CATEGORIES, SIZES, STUFF, generate_scene  # noqa: E402

STUFF_ID0 = 200  # id-map value of the first stuff class


def render(seed: int, index: int) -> tuple[np.ndarray, np.ndarray, dict]:
    scene = generate_scene(seed, index)
    h, w = scene.image.shape[:2]
    img = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
    r = resize_image(scene.image)
    img[: r.shape[0], : r.shape[1]] = r
    idmap = np.zeros((INPUT_SIZE, INPUT_SIZE), np.uint8)
    stuff = []
    for k, name in enumerate(STUFF):
        if name in scene.stuff:
            m = resize_mask(scene.stuff[name])
            idmap[: m.shape[0], : m.shape[1]][m] = STUFF_ID0 + k
            stuff.append(k)
    objs = []
    for i, inst in enumerate(scene.instances):
        m = resize_mask(inst.mask)
        if m.sum() < 4:
            continue
        idmap[: m.shape[0], : m.shape[1]][m] = i + 1
        objs.append({"id": i + 1, "cat": CATEGORIES.index(inst.category), "size": list(SIZES).index(inst.size),
                     "ref": inst.referring, "unique": inst.unique})
    meta = {"hw": [h, w], "rhw": list(r.shape[:2]), "objs": objs, "stuff": stuff}
    return img, idmap, meta


def main() -> None:
    out, seed, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    shard = 500
    for s0 in range(start, start + count, shard):
        path = os.path.join(out, f"shard_{s0:06d}.npz")
        if os.path.exists(path):
            continue
        imgs, ids, metas = [], [], []
        for i in range(s0, min(s0 + shard, start + count)):
            a, b, m = render(seed, i)
            imgs.append(a)
            ids.append(b)
            metas.append(m)
        np.savez(path + ".tmp.npz", images=np.stack(imgs), idmaps=np.stack(ids),
                 meta=np.array(json.dumps(metas)))
        os.replace(path + ".tmp.npz", path)
        print("wrote", path, flush=True)


if __name__ == "__main__":
    main()
