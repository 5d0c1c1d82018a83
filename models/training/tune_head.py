"""Stage 3 of training: fit the decoder's class and shape heads alone
(everything else frozen, BatchNorm in inference mode) on clicks and boxes, so
that the class_embedding of a clicked object lands next to its category's
text embedding. Text embeddings and masks do not change, so text prompts and
mask quality are unaffected.

    /usr/bin/python3 models/training/tune_head.py --ckpt IN --out OUT [--steps N]
(train.py calls `tune()` after the label stage.)"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import INPUT_SIZE  # noqa: E402
from prompts import box_of, center_click, jitter_box, random_click  # noqa: E402
from shapes_world import CATEGORIES  # noqa: E402


def tune(enc, dec, txt, cache, rng: np.random.Generator, steps: int, pairs: int = 8, log_every: int = 25) -> None:
    from train import Sample, decoder_inputs, normalise, phrase_ids  # late import: train imports us

    for m in (enc, dec, txt):
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)
    params = list(dec.class_head.parameters()) + list(dec.shape_head.parameters())
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + np.cos(np.pi * min(1.0, s / steps))))
    with torch.no_grad():
        cat_text = txt(*phrase_ids(CATEGORIES))
    t0, hist = time.time(), []
    for step in range(steps):
        idx, samples = [], []
        for _ in range(2 * pairs):
            s = int(rng.integers(0, len(cache.metas)))
            targets = cache.targets(s)
            tid, cat = targets[int(rng.integers(0, len(targets)))]
            smp = Sample()
            smp.cat = cat
            smp.gt = cache.idmaps[s] == tid
            r = rng.random()
            if r < 0.5:
                smp.coords.append(center_click(smp.gt) if rng.random() < 0.5 else random_click(rng, smp.gt))
                smp.labels.append(1)
            else:
                x0, y0, x1, y1 = jitter_box(rng, box_of(smp.gt), 0.03, INPUT_SIZE)
                smp.coords += [(x0, y0), (x1, y1)]
                smp.labels += [2, 3]
                smp.pad = False
            idx.append(s)
            samples.append(smp)
        imgs = normalise(cache.images[idx], [tuple(cache.metas[s]["rhw"]) for s in idx])
        with torch.no_grad():
            emb = enc(imgs)
        _, iou, cls = dec(emb, *decoder_inputs(samples, emb, {}))
        cats = torch.tensor([s.cat for s in samples])
        logits = 20.0 * cls @ cat_text.t()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cats.repeat_interleave(cls.shape[1]))
        best = iou.argmax(1)
        acc = (logits[torch.arange(len(best)), best].argmax(-1) == cats).float().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        hist.append([loss.item(), acc.item()])
        if step % log_every == 0 or step == steps - 1:
            h = np.mean(hist[-log_every:], 0)
            print(f"head step {step} {time.time() - t0:.0f}s cls {h[0]:.3f} acc {h[1]:.3f}", flush=True)


def main() -> None:
    from export import load
    from train import Cache, WORK

    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=400)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    enc, dec, txt, state = load(args.ckpt)
    cache = Cache(os.path.join(WORK, "train"))
    tune(enc, dec, txt, cache, np.random.default_rng(1), args.steps)
    state.update({"enc": enc.state_dict(), "dec": dec.state_dict(), "txt": txt.state_dict(),
                  "head_steps": args.steps})
    torch.save(state, args.out)


if __name__ == "__main__":
    main()
