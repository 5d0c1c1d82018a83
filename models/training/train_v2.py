"""Train shapes-seem v2 (model_v2.py) on the wide world (wide_world.py) with
every head in one run: masks (clicks + correction rounds with the previous
mask fed back, boxes, scribbles, text, reference regions, combinations),
IoU, class embeddings in the shared text space, and the caption head
(whole-image captions and box -> caption, one point per word).

From a smoke run to a big run by flags alone:

    # the GPU machine (models/training/gpu_run.sh):
    python3 models/training/train_v2.py --minutes 8 --out $OUT
    # a CPU smoke run (what the unit test runs):
    python3 models/training/train_v2.py --minutes 1.5 --pairs 2 --out /tmp/v2
    # one long CPU run with checkpoints every 10 minutes:
    /usr/bin/python3 models/training/train_v2.py --minutes 140 --ckpt-minutes 10 --workers 1 --threads 2

Defaults follow the device: CUDA gets bf16 autocast, 48 pairs (96 images) a
step and max(1, cores - 2) scene workers; the CPU gets fp32, 4 pairs and one
worker. The run stops cleanly when --minutes (wall clock, counted from the
first step) or --steps is reached, whichever comes first, and writes:
  OUT/weights.pt     state_dicts only (enc, dec, txt, cap; fp32, ~12 MB), at
                     every checkpoint and at the end: what export_v2.py reads
  OUT/log.jsonl      one line per log interval; held-out figures at each checkpoint
  WORK/checkpoint.pt weights + optimiser + step + elapsed time (--resume)
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import contextlib
import json
import math
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from captions import BOS_ID, CAPTION_VOCAB, EOS_ID, PAD_ID, encode_words  # noqa: E402
from common import GRID, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD, TRAIN_SEED  # noqa: E402
from model_v2 import C_EMB, D_TEXT, K, MAX_CAPTION, CaptionHead, ImageEncoder2, PromptDecoder2, TextEncoder  # noqa: E402
from prompts import correction_click, jitter_box, region_cells_from_box, region_cells_from_points  # noqa: E402
from scene_stream import STUFF_ID0, SceneBuffer  # noqa: E402
from shapes_world import CATEGORIES  # noqa: E402
from tokenizer import VOCAB, tokenize, vocab_index  # noqa: E402

VOC = vocab_index()
ARCH = "v2"


def build_models():
    return ImageEncoder2(), PromptDecoder2(), TextEncoder(len(VOCAB)), CaptionHead(len(CAPTION_VOCAB))


def state_of(enc, dec, txt, cap) -> dict:
    return {"arch": ARCH, "enc": enc.state_dict(), "dec": dec.state_dict(), "txt": txt.state_dict(), "cap": cap.state_dict()}


def phrase_ids(phrases: list[str], device) -> tuple[torch.Tensor, torch.Tensor]:
    toks = [tokenize(p, VOC) for p in phrases]
    t = max(len(x) for x in toks)
    ids = torch.zeros(len(toks), t, dtype=torch.long)
    mask = torch.zeros(len(toks), t)
    for i, x in enumerate(toks):
        ids[i, : len(x)] = torch.tensor(x)
        mask[i, : len(x)] = 1
    return ids.to(device), mask.to(device)


def normalise(imgs: np.ndarray, rhw: list[tuple[int, int]], device) -> torch.Tensor:
    x = torch.from_numpy(imgs).to(device).float().permute(0, 3, 1, 2)
    mean = torch.tensor(PIXEL_MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(PIXEL_STD, device=device).view(1, 3, 1, 1)
    x = (x - mean) / std
    for i, (h, w) in enumerate(rhw):  # zero padding after normalisation (SAM)
        x[i, :, h:, :] = 0
        x[i, :, :, w:] = 0
    return x


# ---------------------------------------------------------------- samples
class Sample:
    def __init__(self, slot: int, target: dict, gt: np.ndarray):
        self.slot, self.target, self.gt = slot, target, gt
        self.cat = int(target["cat"])  # -1: an unnamed object (no class loss)
        self.coords: list[tuple[float, float]] = []
        self.labels: list[int] = []
        self.text: str | None = None
        self.ref_from: tuple[int, np.ndarray] | None = None
        self.rounds = 0
        self.scribble = False
        self.pad = True
        self.mask_input: torch.Tensor | None = None


def ref_cells(rng: np.random.Generator, buf: SceneBuffer, slot: int, t: dict) -> np.ndarray:
    r = rng.random()
    if r < 0.45:
        return region_cells_from_box(jitter_box(rng, tuple(t["box"]), 0.03, INPUT_SIZE))
    if r < 0.8:
        return region_cells_from_points(np.array(t["scribble"], np.float32).reshape(-1, 2))
    m = torch.from_numpy((buf.idmaps[slot] == t["id"]).astype(np.float32))[None, None]
    cells = F.avg_pool2d(m, INPUT_SIZE // GRID)[0, 0].numpy() > 0.5
    return cells if cells.any() else region_cells_from_points(np.array([t["click_c"]], np.float32))


def text_prompt(rng: np.random.Generator, buf: SceneBuffer, slot: int, t: dict) -> tuple[str, np.ndarray]:
    idmap = buf.idmaps[slot]
    name = CATEGORIES[t["cat"]]
    if t["id"] >= STUFF_ID0:
        return (name if rng.random() < 0.5 else f"the {name}"), idmap == t["id"]
    if t["unique"] and rng.random() < 0.6:
        return t["ref"], idmap == t["id"]
    same = [o["id"] for o in buf.metas[slot]["objs"] if o["cat"] == t["cat"]]
    art = ["", "the ", "a ", "all "][int(rng.integers(0, 4))]
    return art + name, np.isin(idmap, same)


def make_batch(rng: np.random.Generator, buf: SceneBuffer, pairs: int) -> tuple[list[int], list[Sample]]:
    """2 x pairs samples; a named target's partner is a target of the same
    category in another scene (its region is the reference prompt)."""
    chosen: list[tuple[int, dict]] = []
    for _ in range(pairs):
        while True:
            a = int(rng.integers(0, len(buf)))
            ts = buf.targets(a)
            if ts:
                break
        t = ts[int(rng.integers(0, len(ts)))]
        if t["cat"] >= 0:
            cand = [s for s in buf.by_cat.get(t["cat"], []) if s != a] or [a]
            b = cand[int(rng.integers(0, len(cand)))]
            tb = [x for x in buf.targets(b) if x["cat"] == t["cat"]]
            chosen += [(a, t), (b, tb[int(rng.integers(0, len(tb)))])]
        else:
            b = int(rng.integers(0, len(buf)))
            tb = buf.targets(b) or ts
            chosen += [(a, t), (b if buf.targets(b) else a, tb[int(rng.integers(0, len(tb)))])]
    samples = []
    for i, (slot, t) in enumerate(chosen):
        s = Sample(slot, t, buf.idmaps[slot] == t["id"])
        named = s.cat >= 0
        kinds, p = (["click", "box", "scribble", "text", "ref", "combo"], [0.30, 0.16, 0.1, 0.22, 0.12, 0.1]) if named \
            else (["click", "box", "scribble", "combo"], [0.5, 0.25, 0.15, 0.1])
        partner_ok = chosen[i ^ 1][1]["cat"] == s.cat
        kind = rng.choice(kinds, p=p)
        if kind == "ref" and not partner_ok:
            kind = "click"
        if kind == "click":
            s.coords.append(tuple(t["click_c"] if rng.random() < 0.5 else t["click_r"]))
            s.labels.append(1)
            s.rounds = int(rng.choice([0, 1, 2, 3], p=[0.4, 0.25, 0.2, 0.15]))
        elif kind == "box":
            s.coords += _box(rng, t, 0.04 if rng.random() < 0.7 else 0.0)
            s.labels += [2, 3]
            s.pad = False
        elif kind == "scribble":
            pts = [tuple(p) for p in t["scribble"]]
            s.coords += pts
            s.labels += [1] * len(pts)
            s.scribble = True
        elif kind == "text":
            s.text, s.gt = text_prompt(rng, buf, slot, t)
        elif kind == "ref":
            ps, pt = chosen[i ^ 1]
            s.ref_from = (i ^ 1, ref_cells(rng, buf, ps, pt))
        else:  # combinations
            s.coords.append(tuple(t["click_r"]))
            s.labels.append(1)
            r = rng.random()
            if named and r < 0.4:
                s.text = text_prompt(rng, buf, slot, t)[0]
                if t["id"] < STUFF_ID0 and rng.random() < 0.5:
                    s.text = CATEGORIES[s.cat]
            elif named and r < 0.7 and partner_ok:
                ps, pt = chosen[i ^ 1]
                s.ref_from = (i ^ 1, ref_cells(rng, buf, ps, pt))
            else:
                s.coords, s.labels, s.pad = _box(rng, t, 0.04), [2, 3], False
                if named:
                    s.text = CATEGORIES[s.cat]
        samples.append(s)
    return [s.slot for s in samples], samples


def _box(rng: np.random.Generator, t: dict, jitter: float) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = jitter_box(rng, tuple(t["box"]), jitter, INPUT_SIZE)
    return [(x0, y0), (x1, y1)]


def decoder_inputs(samples: list[Sample], emb: torch.Tensor, text_emb: dict[str, torch.Tensor]):
    dev, b = emb.device, len(samples)
    n = max([len(s.coords) + (1 if s.pad else 0) for s in samples] + [1])
    coords = torch.zeros(b, n, 2)
    labels = -torch.ones(b, n)
    mask_in = torch.zeros(b, 1, 4 * GRID, 4 * GRID, device=dev)
    has_mask = torch.zeros(b)
    has_text = torch.zeros(b)
    has_ref = torch.zeros(b)
    for i, s in enumerate(samples):
        if s.coords:
            coords[i, : len(s.coords)] = torch.tensor(s.coords, dtype=torch.float32)
            labels[i, : len(s.labels)] = torch.tensor(s.labels, dtype=torch.float32)
        if s.mask_input is not None:
            mask_in[i, 0] = s.mask_input
            has_mask[i] = 1
        has_text[i] = float(s.text is not None)
        has_ref[i] = float(s.ref_from is not None)
    zero_t = torch.zeros(D_TEXT, device=dev)
    text = torch.stack([text_emb[s.text] if s.text is not None else zero_t for s in samples])
    refs = []
    for s in samples:
        if s.ref_from is None:
            refs.append(torch.zeros(C_EMB, device=dev))
        else:
            m = torch.from_numpy(s.ref_from[1].astype(np.float32)).to(dev)
            refs.append(((emb[s.ref_from[0]].float() * m).sum((1, 2)) / m.sum()))
    ref = torch.stack(refs)
    return (coords.to(dev), labels.to(dev), mask_in, has_mask.to(dev), text.float(), has_text.to(dev), ref, has_ref.to(dev))


def run_rounds(dec, samples: list[Sample], emb: torch.Tensor, text_emb: dict[str, torch.Tensor], amp) -> None:
    """No-grad correction rounds at the low-res mask size: feed back the best
    mask and click the centre of the largest error region."""
    max_r = max([s.rounds for s in samples] + [0])
    for r in range(1, max_r + 1):
        sub = [i for i, s in enumerate(samples) if s.rounds >= r]
        group = [samples[i] for i in sub]
        with torch.no_grad(), amp():
            low, iou, _ = dec(emb.detach()[sub], *decoder_inputs(group, emb.detach(), text_emb))
        low, iou = low.float(), iou.float()
        best = iou.argmax(1)
        preds = (low[torch.arange(len(sub), device=low.device), best] > 0).cpu().numpy()
        for j, s in enumerate(group):
            gt_lr = F.avg_pool2d(torch.from_numpy(s.gt.astype(np.float32))[None, None], 2)[0, 0].numpy() > 0.5
            c = correction_click(preds[j], gt_lr)
            if c is None:
                continue
            s.coords.append((c[0] * 2, c[1] * 2))
            s.labels.append(c[2])
            s.mask_input = low[j, int(best[j])].detach()


def mask_losses(low, iou_pred, cls, gt_lr, cats, cat_text, scale: float = 20.0):
    low, iou_pred, cls = low.float(), iou_pred.float(), cls.float()
    prob = torch.sigmoid(low)
    tgt = gt_lr.unsqueeze(1).expand_as(low)
    bce = F.binary_cross_entropy_with_logits(low, tgt, reduction="none").mean((2, 3))
    inter = (prob * tgt).sum((2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum((2, 3)) + tgt.sum((2, 3)) + 1)
    per = bce * 2 + dice
    best = per.argmin(1)
    mask_loss = per.gather(1, best[:, None]).mean()
    with torch.no_grad():
        hard = (low > 0).float()
        t = (tgt > 0.5).float()
        iou = (hard * t).sum((2, 3)) / (hard + t - hard * t).sum((2, 3)).clamp(min=1)
    iou_loss = F.mse_loss(iou_pred, iou)
    named = cats >= 0
    if named.any():
        logits = scale * cls[named] @ cat_text.float().t()
        cls_loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), cats[named].repeat_interleave(K))
        acc = (logits[torch.arange(int(named.sum()), device=low.device), best[named]].argmax(-1) == cats[named]).float().mean()
    else:
        cls_loss, acc = low.sum() * 0, torch.tensor(float("nan"))
    return mask_loss, iou_loss, cls_loss, iou.gather(1, best[:, None]).mean(), acc


# --------------------------------------------------------------- captions
def caption_batch(rng: np.random.Generator, buf: SceneBuffer, slots: list[int], device):
    """Per image: the whole-image caption (half the time), box -> caption of
    one target ('a small red circle' / 'sky', a quarter) or phrase -> point
    (a quarter): the words of one target its phrase names alone, without the
    article ('small red circle' / 'sky'; half of the objects' phrases
    shorter: partial_keys) and no region, whose last position (the one
    that predicts the end) points at the target; its words carry no word
    loss, so captions never learn to start that way.
    Every word's point is at the target's interior point. Returns region,
    has_region, input ids, target ids, target points, point weights."""
    seqs, regions, has = [], [], []
    for slot in slots:
        m = buf.metas[slot]
        ts = buf.targets(slot)
        named = [t for t in ts if named_alone(t, ts)]
        mode = rng.random()
        if ts and mode < 0.25:
            t = ts[int(rng.integers(0, len(ts)))]
            words = target_words(t)
            ids, pts = encode_words(words), [t["pt"]] * len(words)
            regions.append(list(jitter_box(rng, tuple(t["box"]), 0.05, INPUT_SIZE)))
            has.append(1.0)
            seqs.append((ids, pts, False))
            continue
        if named and mode < 0.5:
            t = named[int(rng.integers(0, len(named)))]
            ids = encode_words(phrase_words(t, partial_keys(rng, t, ts)))
            regions.append([0.0, 0.0, 0.0, 0.0])
            has.append(0.0)
            seqs.append((ids, [t["pt"]] * (len(ids) + 1), True))
            continue
        regions.append([0.0, 0.0, 0.0, 0.0])
        has.append(0.0)
        seqs.append((m["caption"][:MAX_CAPTION - 1], m["points"][:MAX_CAPTION - 1], False))
    t = max(len(ids) for ids, _, _ in seqs) + 1
    b = len(seqs)
    inp = torch.full((b, t), PAD_ID, dtype=torch.long)
    tgt = torch.full((b, t), PAD_ID, dtype=torch.long)
    pts = torch.zeros(b, t, 2)
    w = torch.zeros(b, t)
    for i, (ids, p, grounding) in enumerate(seqs):
        n = len(ids)
        inp[i, 0] = BOS_ID
        inp[i, 1:n + 1] = torch.tensor(ids, dtype=torch.long)
        if not grounding:
            tgt[i, :n] = torch.tensor(ids, dtype=torch.long)
            tgt[i, n] = EOS_ID
        if p:
            pts[i, :len(p)] = torch.tensor(p, dtype=torch.float32)
            w[i, :len(p)] = 1
    return (torch.tensor(regions, dtype=torch.float32, device=device), torch.tensor(has, device=device), inp.to(device),
            tgt.to(device), pts.to(device), w.to(device))


def target_words(t: dict) -> list[str]:
    """How captions name a target: 'a <size> <colour> <shape>', or a stuff region's name."""
    return [t["name"]] if t["id"] >= STUFF_ID0 else ["a", t["size"], t["colour"], t["shape"]]


PHRASE_KEYS = ("size", "colour", "shape")


def phrase_words(t: dict, keys: tuple[str, ...] = PHRASE_KEYS) -> list[str]:
    """The phrase that finds a target (phrase -> point): its caption words
    without the article, or only those of `keys` ('red square')."""
    return [t["name"]] if t["id"] >= STUFF_ID0 else [t[k] for k in PHRASE_KEYS if k in keys]


def partial_keys(rng: np.random.Generator, t: dict, ts: list[dict]) -> tuple[str, ...]:
    """The words a phrase sample names its object by: all three half the
    time, else a random shorter set ('red square', 'square') that still
    names it alone among the scene's objects, as a typed phrase would."""
    if t["id"] >= STUFF_ID0 or rng.random() < 0.5:
        return PHRASE_KEYS
    subsets = [(k,) for k in PHRASE_KEYS] + [tuple(k for k in PHRASE_KEYS if k != drop) for drop in PHRASE_KEYS]
    unique = [keys for keys in subsets if named_alone(t, ts, keys)]
    return unique[int(rng.integers(0, len(unique)))] if unique else PHRASE_KEYS


def named_alone(t: dict, ts: list[dict], keys: tuple[str, ...] = PHRASE_KEYS) -> bool:
    """Whether the words of `keys` name target t alone among the scene's
    objects (a stuff region's name always does). The generator's `unique`
    flag is about its referring expression, which may add a relation
    ('the purple square left of the white diamond'), so it is not this.
    An object outside the named categories has no phrase."""
    if t["id"] >= STUFF_ID0:
        return True
    if t["cat"] < 0:
        return False
    return sum(all(o.get(k) == t[k] for k in keys) for o in ts if o["id"] < STUFF_ID0) == 1


def caption_losses(cap, emb, batch):
    """The caption head's loss (words' cross-entropy + 5 x the points' L1 in
    units of the frame + the pointer's cross-entropy on the cell holding each
    word's point) and its parts: ce, l1, near6px."""
    region, has, inp, tgt, pts, w = batch
    logits, pred, cells = cap.step_with_pointer(cap.context(emb, region, has), inp)
    logits, pred, cells = logits.float(), pred.float(), cells.float()
    # summed over the words that carry a word loss (a batch of phrase -> point samples alone has none)
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=PAD_ID, reduction="sum")
    ce = ce / (tgt != PAD_ID).sum().clamp(min=1)
    l1 = ((pred - pts).abs().sum(-1) / INPUT_SIZE * w).sum() / w.sum().clamp(min=1)
    cell = (pts / INPUT_SIZE * GRID).long().clamp(0, GRID - 1)
    pointer = F.cross_entropy(cells.reshape(-1, cells.shape[-1]), (cell[..., 1] * GRID + cell[..., 0]).reshape(-1), reduction="none")
    pointer = (pointer * w.reshape(-1)).sum() / w.sum().clamp(min=1)
    with torch.no_grad():
        inside = ((pred - pts).norm(dim=-1) < 6.0).float()
        near = (inside * w).sum() / w.sum().clamp(min=1)
    return ce + 5 * l1 + pointer, ce, l1, near


# ------------------------------------------------------------------ train
def batch_loss(models, buf, rng, args, device, amp):
    enc, dec, txt, cap = models
    slots, samples = make_batch(rng, buf, args.pairs)
    rhw = [tuple(buf.metas[s]["rhw"]) for s in slots]
    imgs = normalise(buf.images[slots], rhw, device)
    with amp():
        emb = enc(imgs)
        phrases = sorted({s.text for s in samples if s.text is not None})
        all_text = txt(*phrase_ids(CATEGORIES + phrases, device)).float()
    cat_text = all_text[: len(CATEGORIES)]
    sim = cat_text @ cat_text.t()
    off = ~torch.eye(len(CATEGORIES), dtype=torch.bool, device=device)
    spread = (sim[off] - args.spread_margin).clamp(min=0).pow(2).mean()
    text_emb = {p: all_text[len(CATEGORIES) + i] for i, p in enumerate(phrases)}
    run_rounds(dec, samples, emb, {p: v.detach() for p, v in text_emb.items()}, amp)
    groups = [[i for i, s in enumerate(samples) if not s.scribble], [i for i, s in enumerate(samples) if s.scribble]]
    tot, stats = 0.0, np.zeros(8)
    for g in groups:
        if not g:
            continue
        group = [samples[i] for i in g]
        with amp():
            low, iou, cls = dec(emb[g], *decoder_inputs(group, emb, text_emb))
        gt = torch.from_numpy(np.stack([s.gt for s in group]).astype(np.float32)).to(device)
        gt_lr = F.avg_pool2d(gt[:, None], 2)[:, 0]
        cats = torch.tensor([s.cat for s in group], device=device)
        ml, il, cl, miou, acc = mask_losses(low, iou, cls, gt_lr, cats, cat_text)
        wgt = len(g) / len(samples)
        tot = tot + wgt * (ml + il + cl)
        stats[:5] += wgt * np.array([ml.item(), il.item(), cl.item(), miou.item(), np.nan_to_num(acc.item())])
    # captions on half of the images (one of each pair)
    cap_slots = list(range(0, len(slots), 2))
    with amp():
        cap_loss, ce, l1, near = caption_losses(cap, emb[cap_slots], caption_batch(rng, buf, [slots[i] for i in cap_slots], device))
    tot = tot + args.caption_weight * cap_loss + args.spread_weight * spread
    stats[5:] = [ce.item(), l1.item(), near.item()]
    return tot, stats, spread.item()


STAT_NAMES = ["mask", "iou", "cls", "bestIoU", "acc", "cap_ce", "cap_l1", "cap_near6px"]


def quick_eval(models, device, objects: int) -> dict:
    """Held-out figures at a checkpoint: evaluate.py's measures on a few
    objects of each world (the full table comes from `npm run models:eval`)."""
    from evaluate import Runner, evaluate

    for m in models:
        m.eval()
    try:
        runner = Runner.from_models(*models, device=device)
        out = {}
        for world in ("shapes", "train", "heldout"):
            r = evaluate(runner, world, objects, noc=False, quiet=True)
            out[world] = {k: round(v, 4) for k, v in r.items() if isinstance(v, float)}
        return out
    finally:
        for m in models:
            m.train()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=0, help="wall-clock budget; 0 = none (then --steps ends the run)")
    ap.add_argument("--steps", type=int, default=0, help="step limit; 0 = none")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--amp", default="auto", choices=["auto", "on", "off"], help="bf16 autocast (auto: on with CUDA only)")
    ap.add_argument("--pairs", type=int, default=0, help="pairs of samples per step (0: 48 on CUDA, 4 on CPU)")
    ap.add_argument("--workers", type=int, default=-1, help="scene worker processes (-1: cores - 2 on CUDA, 1 on CPU)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads in the main process (0: 4 on CUDA, 1 on CPU)")
    ap.add_argument("--buffer", type=int, default=0, help="scenes held for sampling (0: 4096 on CUDA, 256 on CPU)")
    ap.add_argument("--buffer-min", type=int, default=0, help="scenes before the first step (0: buffer/4 on CUDA, 24 on CPU)")
    ap.add_argument("--lr", type=float, default=0, help="peak learning rate (0: 2e-3 x sqrt(pairs / 8), capped at 3e-3)")
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--spread-weight", type=float, default=5.0)
    ap.add_argument("--spread-margin", type=float, default=0.2)
    ap.add_argument("--caption-weight", type=float, default=0.5)
    ap.add_argument("--ckpt-minutes", type=float, default=0, help="checkpoint + held-out figures every N minutes (0: minutes/3, or 10)")
    ap.add_argument("--eval-objects", type=int, default=0, help="objects per world at each checkpoint (0: 80 on CUDA, 12 on CPU)")
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--seed", type=int, default=TRAIN_SEED)
    ap.add_argument("--out", default=os.path.join(HERE, ".work", "v2"), help="weights.pt + log.jsonl")
    ap.add_argument("--work", default="", help="checkpoint.pt (default: --out)")
    ap.add_argument("--resume", default="", help="a checkpoint.pt to continue (weights, optimiser, step, time)")
    args = ap.parse_args()

    cuda = torch.cuda.is_available() and args.device != "cpu"
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device")
    device = torch.device("cuda" if cuda else "cpu")
    args.pairs = args.pairs or (48 if cuda else 4)
    args.workers = args.workers if args.workers >= 0 else (max(1, (os.cpu_count() or 4) - 2) if cuda else 1)
    args.threads = args.threads or (4 if cuda else 1)
    args.buffer = args.buffer or (4096 if cuda else 256)
    args.buffer_min = args.buffer_min or (args.buffer // 4 if cuda else 24)
    args.lr = args.lr or min(3e-3, 2e-3 * math.sqrt(args.pairs / 8))
    args.ckpt_minutes = args.ckpt_minutes or (args.minutes / 3 if args.minutes else 10)
    args.eval_objects = args.eval_objects or (80 if cuda else 12)
    use_amp = args.amp == "on" or (cuda and args.amp == "auto")
    out, work = os.path.abspath(args.out), os.path.abspath(args.work or args.out)
    os.makedirs(out, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(args.threads)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    amp_state = {"on": use_amp}

    def amp():
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16) if amp_state["on"] else contextlib.nullcontext()

    amp.state = amp_state  # type: ignore[attr-defined]

    log_path = os.path.join(out, "log.jsonl")
    log = open(log_path, "a")

    def emit(record: dict) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()
        print(json.dumps(record), flush=True)

    # scene workers first: they fork before this process touches CUDA
    resumed = torch.load(args.resume, map_location="cpu") if args.resume else None
    scene_start = int(resumed.get("scenes_seen", 0)) + 1_000_000 if resumed else 0  # fresh scenes after a resume
    buf = SceneBuffer(args.seed, args.buffer, args.workers, start=scene_start)
    try:
        run(args, buf, resumed, scene_start, device, cuda, use_amp, amp, out, work, emit)
    finally:
        buf.stop()
        log.close()
    os._exit(0)


def run(args, buf, resumed, scene_start, device, cuda, use_amp, amp, out, work, emit) -> None:
    torch.manual_seed(args.seed)
    models = build_models()
    for m in models:
        m.to(device).train()
    params = [p for m in models for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    step, elapsed_before = 0, 0.0
    if resumed:
        for m, key in zip(models, ("enc", "dec", "txt", "cap")):
            m.load_state_dict(resumed[key])
        opt.load_state_dict(resumed["opt"])
        step, elapsed_before = int(resumed["step"]), float(resumed["elapsed"])
    budget_s = args.minutes * 60
    schedule_s = elapsed_before + budget_s if budget_s else 0.0
    emit({"event": "start", "device": str(device), "gpu": torch.cuda.get_device_name(0) if cuda else None,
          "torch": torch.__version__, "amp": use_amp, "args": vars(args), "resumed_at_step": step,
          "params_M": round(sum(p.numel() for p in params) / 1e6, 3)})
    t_fill = time.time()
    buf.fill(args.buffer_min)
    emit({"event": "buffer", "scenes": len(buf), "seconds": round(time.time() - t_fill, 1)})

    def progress(now_s: float) -> float:
        fr = []
        if args.steps:
            fr.append(step / args.steps)
        if schedule_s:
            fr.append((elapsed_before + now_s) / schedule_s)
        return min(1.0, max(fr)) if fr else 0.0

    def lr_at(now_s: float, i: int) -> float:
        warm = min(1.0, (i + 1) / args.warmup)
        return args.lr * warm * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * progress(now_s))))

    def save(final: bool) -> None:
        state = state_of(*models)
        meta = {"step": step, "elapsed": elapsed_before + (time.time() - t0), "device": str(device),
                "scenes_seen": scene_start + buf.received, "final": final}
        torch.save({**state, **meta, "opt": opt.state_dict()}, os.path.join(work, "checkpoint.pt.tmp"))
        os.replace(os.path.join(work, "checkpoint.pt.tmp"), os.path.join(work, "checkpoint.pt"))
        cpu_state = {k: ({n: t.detach().cpu() for n, t in v.items()} if isinstance(v, dict) else v) for k, v in state.items()}
        torch.save({**cpu_state, **meta}, os.path.join(out, "weights.pt.tmp"))
        os.replace(os.path.join(out, "weights.pt.tmp"), os.path.join(out, "weights.pt"))

    rng = np.random.default_rng([args.seed, step])
    t0 = time.time()
    last_ckpt = t0
    hist: list[np.ndarray] = []
    first = step
    stop_reason = ""
    # SIGTERM (a `timeout` around the GPU run) or Ctrl+C ends the run like its time budget: final weights saved.
    signalled: list[str] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: signalled.append(signal.Signals(signum).name))
    while True:
        now = time.time() - t0
        if signalled:
            stop_reason = signalled[0]
            break
        if budget_s and now >= budget_s:
            stop_reason = "minutes"
            break
        if args.steps and step >= args.steps:
            stop_reason = "steps"
            break
        buf.refresh(limit=max(8, 2 * args.pairs))
        for gparam in opt.param_groups:
            gparam["lr"] = lr_at(now, step - first)
        opt.zero_grad(set_to_none=True)
        try:
            tot, stats, spread = batch_loss(models, buf, rng, args, device, amp)
            tot.backward()
        except RuntimeError as e:
            # one unprepared GPU run must not die of a mixed-precision dtype clash: fall back to fp32 once
            if not amp.state["on"] or step != first:
                raise
            amp.state["on"] = False
            emit({"event": "amp_off", "error": str(e)[:800]})
            opt.zero_grad(set_to_none=True)
            continue
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        hist.append(stats)
        if step % args.log_every == 0 or step == first + 1:
            h = np.mean(hist[-args.log_every:], 0)
            emit({"event": "train", "step": step, "seconds": round(time.time() - t0, 1), "lr": round(lr_at(now, step - first), 6),
                  "spread": round(spread, 4), "scenes": scene_start + buf.received,
                  **{k: round(float(v), 4) for k, v in zip(STAT_NAMES, h)}})
        if time.time() - last_ckpt >= args.ckpt_minutes * 60:
            save(False)
            emit({"event": "checkpoint", "step": step, "seconds": round(time.time() - t0, 1),
                  "eval": quick_eval(models, device, args.eval_objects)})
            last_ckpt = time.time()
    buf.stop()
    save(True)
    emit({"event": "end", "reason": stop_reason, "step": step, "seconds": round(time.time() - t0, 1),
          "scenes": scene_start + buf.received, "eval": quick_eval(models, device, args.eval_objects)})


if __name__ == "__main__":
    main()
