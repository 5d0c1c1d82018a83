"""Train a caption head (model_v2.CaptionHead: PixelLLM's word + point per
token) on a shipped model's FROZEN image features, so the shipped model
gains captions without retraining its encoder (PixelLLM keeps its encoder
frozen too). The features come from the app itself (encode_scenes.ts on
caption_head_data.py's scenes); the batches and losses are train_v2.py's
(whole-image captions, and box -> caption of one target, every word's point).

    /usr/bin/python3 models/training/train_caption_head.py --data D --eval E --minutes 20 --out W.pt

Prints, and stores in W.pt, the held-out figures: teacher-forced point
accuracy (object words whose point falls inside the object they name),
greedy object-phrase recall and exact match of whole-image captions, and
box -> caption exact match ("a small red circle" for that object's box), and
phrase -> point accuracy (the point after "small red circle" inside it)."""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from captions import BOS_ID, CAPTION_VOCAB, EOS_ID, decode_ids, encode_words  # noqa: E402
from model_v2 import CaptionHead  # noqa: E402
from scene_stream import STUFF_ID0  # noqa: E402
from shapes_world import COLOURS  # noqa: E402
from evaluate import OBJECT_WORDS as NAMING_WORDS  # noqa: E402
from evaluate import object_phrases  # noqa: E402
from train_v2 import caption_batch, caption_losses, named_alone  # noqa: E402

# the words that name an object: size, shape, and (in every scene) its colour
OBJECT_WORDS = NAMING_WORDS | set(COLOURS)
ARCH = "caption-head"


class Scenes:
    """What caption_batch reads of train_v2's SceneBuffer: each scene's record
    and its targets; the scenes of several folders (written in parts) in one list."""

    def __init__(self, folders: list[str]):
        self.metas, self.dirs, parts, infos = [], [], [], []
        for data in folders:
            with open(os.path.join(data, "meta.jsonl")) as f:
                metas = [json.loads(line) for line in f]
            info = json.load(open(os.path.join(data, "features.json")))
            if info["count"] != len(metas):
                raise SystemExit(f"{data}: features.json counts {info['count']} scenes, meta.jsonl {len(metas)}")
            parts.append(np.memmap(os.path.join(data, "features.bin"), np.float32, "r", shape=(len(metas), *info["shape"])))
            infos.append((tuple(info["shape"]), info["model"]))
            self.metas += metas
            self.dirs += [data] * len(metas)
        if len(set(infos)) != 1:
            raise SystemExit(f"the folders hold features of different models or shapes: {sorted(set(infos))}")
        self.shape, self.model = infos[0]
        self.features = np.concatenate(parts) if len(parts) > 1 else parts[0]

    def targets(self, s: int) -> list[dict]:
        m = self.metas[s]
        return m["objs"] + m["stuff"]

    def emb(self, slots) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(self.features[slots]))


@torch.no_grad()
def greedy(cap: CaptionHead, emb: torch.Tensor, region=None, max_words: int = 64) -> tuple[list[int], list[list[float]]]:
    box = torch.tensor([region if region is not None else [0.0, 0.0, 0.0, 0.0]], dtype=torch.float32)
    mem = cap.context(emb, box, torch.tensor([float(region is not None)]))
    ids, pts = [BOS_ID], []
    for _ in range(max_words):
        logits, points = cap.step(mem, torch.tensor([ids]))
        nxt = int(logits[0, -1].argmax())
        if nxt == EOS_ID:
            break
        ids.append(nxt)
        pts.append(points[0, -1].tolist())
    return ids[1:], pts


@torch.no_grad()
def evaluate(cap: CaptionHead, ev: Scenes, scenes: int) -> dict:
    cap.eval()
    point, recall, exact, box_exact, grounded, ms = [], [], [], [], [], []
    for s in range(min(scenes, len(ev.metas))):
        m = ev.metas[s]
        emb = ev.emb([s])
        idmap = np.asarray(Image.open(os.path.join(ev.dirs[s], "idmaps", m["image"])))
        words = decode_ids(m["caption"])
        # teacher-forced points of the object words, scored on the model-frame id map
        box0 = torch.zeros(1, 4)
        mem = cap.context(emb, box0, torch.zeros(1))
        pred = cap.step(mem, torch.tensor([[BOS_ID] + m["caption"]]))[1][0, : len(words)].numpy()
        for i, (w, (gx, gy)) in enumerate(zip(words, m["points"])):
            if w not in OBJECT_WORDS:
                continue
            owner = int(idmap[min(idmap.shape[0] - 1, int(gy)), min(idmap.shape[1] - 1, int(gx))])
            if owner == 0 or owner >= STUFF_ID0:
                continue
            x, y = pred[i]
            inside = 0 <= int(y) < idmap.shape[0] and 0 <= int(x) < idmap.shape[1] and int(idmap[int(y), int(x)]) == owner
            point.append(float(inside))
        t0 = time.perf_counter()
        got, _ = greedy(cap, emb)
        ms.append((time.perf_counter() - t0) * 1000)
        got_words = decode_ids(got)
        want = object_phrases(words)
        recall.append(float(np.mean([p in object_phrases(got_words) for p in want])) if want else 1.0)
        exact.append(float(got_words == words))
        for o in m["objs"]:
            if o["cat"] < 0 or not named_alone(o, m["objs"]):
                continue
            said, _ = greedy(cap, emb, o["box"], 8)
            box_exact.append(float(decode_ids(said) == ["a", o["size"], o["colour"], o["shape"]]))
            # phrase -> point: the point of the position after the phrase's last word
            ids = [BOS_ID] + encode_words([o["size"], o["colour"], o["shape"]])
            x, y = cap.step(mem, torch.tensor([ids]))[1][0, -1].tolist()
            inside = 0 <= int(y) < idmap.shape[0] and 0 <= int(x) < idmap.shape[1] and int(idmap[int(y), int(x)]) == o["id"]
            grounded.append(float(inside))
    cap.train()
    mean = lambda v: round(float(np.mean(v)), 4) if v else None  # noqa: E731
    return {"scenes": min(scenes, len(ev.metas)), "point_accuracy": mean(point), "point_n": len(point),
            "phrase_recall": mean(recall), "exact_match": mean(exact), "box_caption_exact": mean(box_exact),
            "box_n": len(box_exact), "phrase_point_accuracy": mean(grounded), "greedy_ms_torch": mean(ms)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, nargs="+", help="caption_head_data.py + encode_scenes.ts folders (training)")
    ap.add_argument("--eval", required=True, nargs="+", help="the same for held-out scenes (written with --idmaps)")
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval-every", type=float, default=5, help="minutes between held-out figures")
    ap.add_argument("--eval-scenes", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init", help="start from this run's weights (a warm restart: fresh warm-up and schedule)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, ev = Scenes(args.data), Scenes(args.eval)
    if train.shape != ev.shape or train.model != ev.model:
        raise SystemExit(f"training features {train.model} {train.shape} and held-out {ev.model} {ev.shape} differ")
    cap = CaptionHead(len(CAPTION_VOCAB), in_channels=train.shape[0])
    earlier = {"step": 0, "seconds": 0.0, "curve": []}
    if args.init:
        earlier = torch.load(args.init, map_location="cpu")
        if earlier.get("arch") != ARCH or earlier["features_model"] != train.model:
            raise SystemExit(f"{args.init}: not a caption head trained on {train.model}'s features")
        # layers added since (zero-initialised, so the head is unchanged) start fresh
        missing, unexpected = cap.load_state_dict(earlier["cap"], strict=False)
        if unexpected or any(not k.startswith("img_context.") for k in missing):
            raise SystemExit(f"{args.init}: weights of another head (missing {missing}, unexpected {unexpected})")
    opt = torch.optim.AdamW(cap.parameters(), lr=args.lr, weight_decay=1e-4)
    rng = np.random.default_rng(args.seed)
    budget = args.minutes * 60
    t0 = last_eval = time.time()
    step, curve = 0, []

    def progress() -> float:
        fr = [(time.time() - t0) / budget] if budget else []
        if args.steps:
            fr.append(step / args.steps)
        return min(1.0, max(fr)) if fr else 0.0

    def so_far() -> dict:
        """Steps and seconds, counting the runs this one continues (--init)."""
        return {"step": earlier["step"] + step, "seconds": round(earlier["seconds"] + time.time() - t0, 1)}

    def save(figures: dict) -> None:
        torch.save({"arch": ARCH, "cap": cap.state_dict(), "in_channels": train.shape[0], "features_model": train.model,
                    **so_far(), "eval": figures, "curve": earlier["curve"] + curve}, args.out)

    while (not budget or time.time() - t0 < budget) and (not args.steps or step < args.steps):
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * progress())))
        for g in opt.param_groups:
            g["lr"] = lr
        slots = rng.choice(len(train.metas), args.batch, replace=False).tolist()
        loss, ce, l1, near = caption_losses(cap, train.emb(slots), caption_batch(rng, train, slots, "cpu"))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(cap.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            print(json.dumps({"step": step, "seconds": round(time.time() - t0, 1), "lr": round(lr, 6), "ce": round(ce.item(), 4),
                              "l1": round(l1.item(), 4), "near6px": round(near.item(), 4)}), flush=True)
        if time.time() - last_eval >= args.eval_every * 60:
            figures = evaluate(cap, ev, args.eval_scenes // 3)
            curve.append({**so_far(), **figures})
            print(json.dumps({"eval": curve[-1]}), flush=True)
            save(figures)
            last_eval = time.time()
    figures = evaluate(cap, ev, args.eval_scenes)
    curve.append({**so_far(), **figures})
    save(figures)
    print(json.dumps({"end": curve[-1]}), flush=True)


if __name__ == "__main__":
    main()
