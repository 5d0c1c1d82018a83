"""Train shapes-seem-tiny from scratch on the shapes world (CPU, one thread,
fixed seeds), then export ONNX + manifest (export.py).

    /usr/bin/python3 models/training/train.py [--steps N] [--no-export]

Simulated interaction per sample: positive click (+ up to 3 rounds of
correction clicks with the previous low-res mask fed back), box, scribble
(<= 512 points), text-only referring phrase, a region of ANOTHER image of the
same category (ref_embedding), and combinations."""
from __future__ import annotations

import os

# one CPU thread for everything (the machine is shared)
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import glob
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import GRID, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD, TRAIN_SEED  # noqa: E402
from model import C_EMB, D_TEXT, K, ImageEncoder, PromptDecoder, TextEncoder  # noqa: E402
from prompts import (box_of, center_click, correction_click, jitter_box, random_click,  # noqa: E402
                     region_cells_from_box, region_cells_from_points, scribble)
from shapes_world import CATEGORIES, STUFF, THING_CATEGORIES  # noqa: E402
from tokenizer import VOCAB, tokenize, vocab_index  # noqa: E402

WORK = os.path.join(HERE, ".work")
STUFF_ID0 = 200
VOC = vocab_index()


# ------------------------------------------------------------------ data
class Cache:
    def __init__(self, folder: str):
        imgs, ids, metas = [], [], []
        for path in sorted(glob.glob(os.path.join(folder, "shard_*.npz"))):
            if path.endswith(".tmp.npz"):
                continue
            z = np.load(path)
            imgs.append(z["images"])
            ids.append(z["idmaps"])
            metas += json.loads(str(z["meta"]))
        self.images = np.concatenate(imgs)
        self.idmaps = np.concatenate(ids)
        self.metas = metas
        # category -> scenes holding it (for reference-region pairs)
        self.by_cat: dict[int, list[int]] = {}
        for s, m in enumerate(metas):
            cats = {o["cat"] for o in m["objs"]} | {len(THING_CATEGORIES) + k for k in m["stuff"]}
            for c in cats:
                self.by_cat.setdefault(c, []).append(s)

    def targets(self, s: int) -> list[tuple[int, int]]:
        """(id-map value, category) of every object and stuff region."""
        m = self.metas[s]
        out = [(o["id"], o["cat"]) for o in m["objs"]]
        out += [(STUFF_ID0 + k, len(THING_CATEGORIES) + k) for k in m["stuff"]]
        return out


def phrase_ids(phrases: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    toks = [tokenize(p, VOC) for p in phrases]
    t = max(len(x) for x in toks)
    ids = torch.zeros(len(toks), t, dtype=torch.long)
    mask = torch.zeros(len(toks), t)
    for i, x in enumerate(toks):
        ids[i, : len(x)] = torch.tensor(x)
        mask[i, : len(x)] = 1
    return ids, mask


def normalise(imgs: np.ndarray, rhw: list[tuple[int, int]]) -> torch.Tensor:
    x = torch.from_numpy(imgs).float().permute(0, 3, 1, 2)
    x = (x - torch.tensor(PIXEL_MEAN).view(1, 3, 1, 1)) / torch.tensor(PIXEL_STD).view(1, 3, 1, 1)
    for i, (h, w) in enumerate(rhw):  # padding is zero after normalisation (SAM)
        x[i, :, h:, :] = 0
        x[i, :, :, w:] = 0
    return x


def pool_ref(emb: torch.Tensor, cells: np.ndarray) -> torch.Tensor:
    """Masked mean of image_embeddings over the region's grid cells."""
    m = torch.from_numpy(cells.astype(np.float32))
    return (emb * m).sum((1, 2)) / m.sum()


def text_phrase(rng: np.random.Generator, cache: Cache, s: int, tid: int, cat: int) -> tuple[str, np.ndarray]:
    """A phrase for the target and the mask it denotes: the unique referring
    phrase of the object, or a category phrase meaning all its instances."""
    idmap = cache.idmaps[s]
    name = CATEGORIES[cat]
    if tid >= STUFF_ID0:
        return (name if rng.random() < 0.5 else f"the {name}"), idmap == tid
    obj = next(o for o in cache.metas[s]["objs"] if o["id"] == tid)
    if obj["unique"] and rng.random() < 0.6:
        return obj["ref"], idmap == tid
    same = [o["id"] for o in cache.metas[s]["objs"] if o["cat"] == cat]
    art = ["", "the ", "a ", "all "][int(rng.integers(0, 4))]
    return art + name, np.isin(idmap, same)


# ---------------------------------------------------------------- batches
class Sample:
    def __init__(self) -> None:
        self.coords: list[tuple[float, float]] = []
        self.labels: list[int] = []
        self.text: str | None = None
        self.ref_from: tuple[int, np.ndarray] | None = None  # (batch index, grid cells)
        self.gt = np.zeros((INPUT_SIZE, INPUT_SIZE), bool)
        self.cat = 0
        self.rounds = 0
        self.scribble = False
        self.pad = True
        self.mask_input: np.ndarray | None = None


def make_batch(rng: np.random.Generator, cache: Cache, pairs: int):
    scenes, samples = [], []
    for _ in range(pairs):
        a = int(rng.integers(0, len(cache.metas)))
        tid, cat = cache.targets(a)[int(rng.integers(0, len(cache.targets(a))))]
        cand = [s for s in cache.by_cat[cat] if s != a] or [a]
        b = cand[int(rng.integers(0, len(cand)))]
        tb = [t for t, c in cache.targets(b) if c == cat]
        tid_b = tb[int(rng.integers(0, len(tb)))]
        scenes += [(a, tid, cat), (b, tid_b, cat)]
    for i, (s, tid, cat) in enumerate(scenes):
        smp = Sample()
        smp.cat = cat
        idmap = cache.idmaps[s]
        smp.gt = idmap == tid
        kind = rng.choice(["click", "box", "scribble", "text", "ref", "combo"], p=[0.30, 0.16, 0.1, 0.22, 0.12, 0.1])
        if kind == "click":
            smp.coords.append(center_click(smp.gt) if rng.random() < 0.5 else random_click(rng, smp.gt))
            smp.labels.append(1)
            smp.rounds = int(rng.choice([0, 1, 2, 3], p=[0.4, 0.25, 0.2, 0.15]))
        elif kind == "box":
            x0, y0, x1, y1 = jitter_box(rng, box_of(smp.gt), 0.04 if rng.random() < 0.7 else 0.0, INPUT_SIZE)
            smp.coords += [(x0, y0), (x1, y1)]
            smp.labels += [2, 3]
            smp.pad = False
        elif kind == "scribble":
            pts = scribble(rng, smp.gt, max_points=128)
            smp.coords += [tuple(p) for p in pts]
            smp.labels += [1] * len(pts)
            smp.scribble = True
        elif kind == "text":
            smp.text, smp.gt = text_phrase(rng, cache, s, tid, cat)
        elif kind == "ref":
            smp.ref_from = (i ^ 1, ref_region(rng, cache, scenes[i ^ 1]))
        else:
            smp.coords.append(random_click(rng, smp.gt))
            smp.labels.append(1)
            r = rng.random()
            if r < 0.4:
                smp.text = text_phrase(rng, cache, s, tid, cat)[0]
                if tid < STUFF_ID0:
                    smp.text = CATEGORIES[cat] if rng.random() < 0.5 else smp.text
            elif r < 0.7:
                smp.ref_from = (i ^ 1, ref_region(rng, cache, scenes[i ^ 1]))
            else:
                smp.coords, smp.labels, smp.pad = [], [], False
                x0, y0, x1, y1 = jitter_box(rng, box_of(smp.gt), 0.04, INPUT_SIZE)
                smp.coords += [(x0, y0), (x1, y1)]
                smp.labels += [2, 3]
                smp.text = CATEGORIES[cat]
        samples.append(smp)
    idx = [s for s, _, _ in scenes]
    rhw = [tuple(cache.metas[s]["rhw"]) for s in idx]
    return normalise(cache.images[idx], rhw), samples


def ref_region(rng: np.random.Generator, cache: Cache, scene: tuple[int, int, int]) -> np.ndarray:
    s, tid, _ = scene
    m = cache.idmaps[s] == tid
    r = rng.random()
    if r < 0.45:
        return region_cells_from_box(jitter_box(rng, box_of(m), 0.03, INPUT_SIZE))
    if r < 0.8:
        return region_cells_from_points(scribble(rng, m))
    cells = F.avg_pool2d(torch.from_numpy(m.astype(np.float32))[None, None], INPUT_SIZE // GRID)[0, 0].numpy() > 0.5
    return cells if cells.any() else region_cells_from_points(np.array([center_click(m)]))


def decoder_inputs(samples: list[Sample], emb: torch.Tensor, text_emb: dict[str, torch.Tensor]):
    b = len(samples)
    n = max(len(s.coords) + (1 if s.pad else 0) for s in samples)
    n = max(n, 1)
    coords = torch.zeros(b, n, 2)
    labels = -torch.ones(b, n)
    mask_in = torch.zeros(b, 1, 4 * GRID, 4 * GRID)
    has_mask = torch.zeros(b)
    text = torch.zeros(b, D_TEXT)
    has_text = torch.zeros(b)
    ref = torch.zeros(b, C_EMB)
    has_ref = torch.zeros(b)
    refs = []
    for i, s in enumerate(samples):
        if s.coords:
            coords[i, : len(s.coords)] = torch.tensor(s.coords, dtype=torch.float32)
            labels[i, : len(s.labels)] = torch.tensor(s.labels, dtype=torch.float32)
        if s.mask_input is not None:
            mask_in[i, 0] = torch.from_numpy(s.mask_input)
            has_mask[i] = 1
        if s.text is not None:
            has_text[i] = 1
        if s.ref_from is not None:
            has_ref[i] = 1
    texts = [text_emb[s.text] if s.text is not None else torch.zeros(D_TEXT) for s in samples]
    text = torch.stack(texts)
    for i, s in enumerate(samples):
        refs.append(pool_ref(emb[s.ref_from[0]], s.ref_from[1]) if s.ref_from is not None else torch.zeros(C_EMB))
    ref = torch.stack(refs)
    return coords, labels, mask_in, has_mask, text, has_text, ref, has_ref


# ------------------------------------------------------------------ train
def losses(low, iou_pred, cls, gt128, cats, cat_text, scale=20.0):
    prob = torch.sigmoid(low)
    tgt = gt128.unsqueeze(1).expand_as(low)
    bce = F.binary_cross_entropy_with_logits(low, tgt, reduction="none").mean((2, 3))
    inter = (prob * tgt).sum((2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum((2, 3)) + tgt.sum((2, 3)) + 1)
    per = bce * 2 + dice  # [B,K]
    best = per.argmin(1)
    mask_loss = per.gather(1, best[:, None]).mean()
    with torch.no_grad():
        hard = (low > 0).float()
        t = (tgt > 0.5).float()
        iou = (hard * t).sum((2, 3)) / ((hard + t - hard * t).sum((2, 3))).clamp(min=1)
    iou_loss = F.mse_loss(iou_pred, iou)
    logits = scale * cls @ cat_text.t()  # [B,K,C]
    cls_loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cats.repeat_interleave(K))
    acc = (logits[torch.arange(len(best)), best].argmax(-1) == cats).float().mean()
    return mask_loss, iou_loss, cls_loss, iou.gather(1, best[:, None]).mean(), acc


def run_rounds(dec, samples, emb, text_emb):
    """No-grad correction rounds: feed back the best low-res mask and add
    a click at the centre of the largest error region."""
    max_r = max([s.rounds for s in samples] + [0])
    for r in range(1, max_r + 1):
        sub = [i for i, s in enumerate(samples) if s.rounds >= r]
        group = [samples[i] for i in sub]
        with torch.no_grad():
            ins = decoder_inputs(group, emb.detach(), text_emb)
            low, iou, _ = dec(emb.detach()[sub], *ins)
        for j, s in enumerate(group):
            k = int(iou[j].argmax())
            lm = low[j, k]
            pred = F.interpolate(lm[None, None], (INPUT_SIZE, INPUT_SIZE), mode="bilinear",
                                 align_corners=False)[0, 0].numpy() > 0
            c = correction_click(pred, s.gt)
            if c is None:
                continue
            s.coords.append((c[0], c[1]))
            s.labels.append(c[2])
            s.mask_input = lm.numpy().copy()


def batch_loss(enc, dec, txt, cache, rng, pairs: int, spread_weight: float = 1.0, spread_margin: float = 0.0,
               encoder_frozen: bool = False):
    """One batch of simulated interaction -> (total loss, [mask, iou, cls, bestIoU, acc], spread)."""
    imgs, samples = make_batch(rng, cache, pairs)
    if encoder_frozen:
        with torch.no_grad():
            emb = enc(imgs)
    else:
        emb = enc(imgs)
    phrases = sorted({s.text for s in samples if s.text is not None})
    all_text = txt(*phrase_ids(CATEGORIES + phrases))
    cat_text = all_text[: len(CATEGORIES)]
    # keep category phrases apart in the text space (without it the text
    # encoder collapses "red circle" onto "red square": the visual side cannot
    # tell shapes apart early on, and the contrastive loss then prefers
    # phrases that differ only in their colour word)
    sim = cat_text @ cat_text.t()
    off_diagonal = ~torch.eye(len(CATEGORIES), dtype=torch.bool)
    spread = (sim[off_diagonal] - spread_margin).clamp(min=0).pow(2).mean()
    text_emb = {p: all_text[len(CATEGORIES) + i] for i, p in enumerate(phrases)}
    run_rounds(dec, samples, emb, {p: v.detach() for p, v in text_emb.items()})
    # scribbles (many points) decode separately from short prompts
    groups = [[i for i, s in enumerate(samples) if not s.scribble], [i for i, s in enumerate(samples) if s.scribble]]
    tot, stats = 0.0, np.zeros(5)
    for g in groups:
        if not g:
            continue
        group = [samples[i] for i in g]
        low, iou, cls = dec(emb[g], *decoder_inputs(group, emb, text_emb))
        gt = torch.from_numpy(np.stack([s.gt for s in group]).astype(np.float32))
        gt128 = F.avg_pool2d(gt[:, None], 2)[:, 0]
        cats = torch.tensor([s.cat for s in group])
        ml, il, cl, miou, acc = losses(low, iou, cls, gt128, cats, cat_text)
        w = len(g) / len(samples)
        tot = tot + w * (ml + il + cl)
        stats += w * np.array([ml.item(), il.item(), cl.item(), miou.item(), acc.item()])
    return tot + spread_weight * spread, stats, spread


def fit(enc, dec, txt, cache, rng, opt, sched, params, steps: range, pairs: int, out: str, t0: float,
        stage: str = "step", saved: dict | None = None, **loss_options) -> None:
    """The optimisation loop of both stages; a checkpoint every 100 steps and at the end."""
    hist: list[list[float]] = []
    for step in steps:
        tot, stats, spread = batch_loss(enc, dec, txt, cache, rng, pairs, **loss_options)
        opt.zero_grad()
        tot.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        hist.append(stats.tolist())
        last = step == steps[-1]
        if step % 25 == 0 or last:
            h = np.mean(hist[-25:], 0)
            print(f"{stage} {step} {time.time() - t0:.0f}s mask {h[0]:.3f} iou {h[1]:.3f} cls {h[2]:.3f} spread {spread.item():.3f} "
                  f"bestIoU {h[3]:.3f} acc {h[4]:.3f} lr {sched.get_last_lr()[0]:.5f}", flush=True)
        if step % 100 == 99 or last:
            step_key = "step" if stage == "step" else f"{stage}_steps"
            torch.save({"enc": enc.state_dict(), "dec": dec.state_dict(), "txt": txt.state_dict(),
                        **(saved or {}), step_key: step + 1, "seconds": time.time() - t0}, out)


LABEL_SEED = 2
LABEL_LR = 1e-3
LABEL_SPREAD_WEIGHT = 50.0
LABEL_SPREAD_MARGIN = 0.2


def label_stage(enc, dec, txt, cache, steps: int, pairs: int, out: str, t0: float, main_steps: int) -> None:
    """Stage 2: the image encoder frozen, the decoder and text encoder trained
    on the same prompt mix with a strong spread term, so that category phrases
    that differ only in the shape word stop sharing one text embedding and the
    class embedding has to read the shape (ShapeHead) to pick the label. The
    decoder re-learns text prompts in the separated text space at the same time."""
    enc.eval()  # BatchNorm statistics stay as trained
    for p in enc.parameters():
        p.requires_grad_(False)
    params = list(dec.parameters()) + list(txt.parameters())
    opt = torch.optim.AdamW(params, lr=LABEL_LR, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min(1, (i + 1) / 20) * 0.5 * (1 + np.cos(np.pi * min(1, i / steps))))
    torch.manual_seed(LABEL_SEED)
    fit(enc, dec, txt, cache, np.random.default_rng(LABEL_SEED), opt, sched, params, range(steps), pairs, out, t0,
        stage="label", saved={"step": main_steps}, spread_weight=LABEL_SPREAD_WEIGHT, spread_margin=LABEL_SPREAD_MARGIN, encoder_frozen=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=int(os.environ.get("TRAIN_STEPS", "3400")))
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--cache", default=os.path.join(WORK, "train"))
    ap.add_argument("--scenes", type=int, default=8000)
    ap.add_argument("--out", default=os.path.join(WORK, "model.pt"))
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--resume", default="", help="continue from a checkpoint (weights only) at its step")
    ap.add_argument("--label-steps", type=int, default=int(os.environ.get("LABEL_STEPS", "1000")))
    ap.add_argument("--head-steps", type=int, default=int(os.environ.get("HEAD_STEPS", "600")))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    have = len(glob.glob(os.path.join(args.cache, "shard_*[0-9].npz"))) * 500
    if have < args.scenes:  # regenerate the cache deterministically
        subprocess.run([sys.executable, os.path.join(HERE, "make_dataset.py"), args.cache, str(TRAIN_SEED),
                        "0", str(args.scenes)], check=True)
    cache = Cache(args.cache)
    print(f"cache: {len(cache.metas)} scenes", flush=True)

    enc, dec, txt = ImageEncoder(), PromptDecoder(), TextEncoder(len(VOCAB))
    start = 0
    if args.resume:
        st = torch.load(args.resume, map_location="cpu")
        enc.load_state_dict(st["enc"])
        dec.load_state_dict(st["dec"])
        txt.load_state_dict(st["txt"])
        start = int(st["step"])
        rng = np.random.default_rng(start)  # a fresh batch stream after the resume point
        torch.manual_seed(start)
        print(f"resumed from {args.resume} at step {start}", flush=True)
    params = list(enc.parameters()) + list(dec.parameters()) + list(txt.parameters())
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4)
    warm = 150 if start == 0 else 20  # Adam moments restart on resume: short warm-up

    def lr_factor(i: int) -> float:
        s = i + start
        return min(1, (i + 1) / warm) * (0.03 + 0.97 * 0.5 * (1 + np.cos(np.pi * min(1, s / args.steps))))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    t0 = time.time()
    fit(enc, dec, txt, cache, rng, opt, sched, params, range(start, args.steps), args.pairs, args.out, t0)
    print(f"trained {args.steps} steps in {time.time() - t0:.0f}s", flush=True)
    if args.label_steps > 0:
        label_stage(enc, dec, txt, cache, args.label_steps, args.pairs, args.out, t0, args.steps)
        print(f"label stage {args.label_steps} steps, total {time.time() - t0:.0f}s", flush=True)
    if args.head_steps > 0:
        from tune_head import tune
        torch.manual_seed(1)  # as tune_head.py's own main
        tune(enc, dec, txt, cache, np.random.default_rng(1), args.head_steps)
        torch.save({"enc": enc.state_dict(), "dec": dec.state_dict(), "txt": txt.state_dict(), "step": args.steps,
                    "label_steps": args.label_steps, "head_steps": args.head_steps, "seconds": time.time() - t0}, args.out)
        print(f"class head tuned {args.head_steps} steps, total {time.time() - t0:.0f}s", flush=True)
    if not args.no_export:
        subprocess.run([sys.executable, os.path.join(HERE, "export.py"), "--ckpt", args.out], check=True)


if __name__ == "__main__":
    main()
