"""Add a caption head trained on a model's frozen features
(train_caption_head.py) to that model's folder: caption_context.onnx and
caption_step.onnx (export_v2.py's graphs and manifest "captioner" entry),
listed in "files" with their sha256, and the parity reference the app's
test reproduces (parity.json "captioner": greedy ids and points on fixed
embeddings, since the frozen encoder has no PyTorch weights here).

    /usr/bin/python3 models/training/export_caption_head.py --weights W.pt --model models/shapes-seem-tiny [--eval E ...]

--eval measures the held-out figures again with this code instead of taking
those stored with the weights (how the point read around the pointer's most
likely cell was measured without new weights).
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import json
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from captions import BOS_ID, CAPTION_VOCAB, encode_words  # noqa: E402
from export import OPSET, sha256  # noqa: E402
from export_v2 import (  # noqa: E402
    CAPTION_FILES, DESCRIBE_READINGS, GREEDY_WORDS, LOCATE_WORDS, PARITY_REGION, PARITY_WORDS, CaptionContext, CaptionStep, captioner_manifest,
    describes, greedy, locate)
from model_v2 import CaptionHead  # noqa: E402


def parity_embeddings(c: int, g: int) -> torch.Tensor:
    """Fixed embeddings both sides can build (test/unit/models/parityInputs.ts captionParityEmbeddings)."""
    ch = torch.arange(c, dtype=torch.float32).view(c, 1, 1)
    y = torch.arange(g, dtype=torch.float32).view(1, g, 1)
    x = torch.arange(g, dtype=torch.float32).view(1, 1, g)
    return (torch.sin(0.37 * ch + 0.21 * y) * torch.cos(0.13 * ch - 0.17 * x))[None]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--model", required=True, help="the model folder whose encoder the head was trained on")
    ap.add_argument("--eval", nargs="+", help="held-out folders (caption_head_data.py --idmaps + encode_scenes.ts) to measure again")
    args = ap.parse_args()
    torch.set_num_threads(1)
    state = torch.load(args.weights, map_location="cpu")
    if state.get("arch") != "caption-head":
        raise SystemExit(f"{args.weights}: not train_caption_head.py weights")
    manifest_path = os.path.join(args.model, "manifest.json")
    manifest = json.load(open(manifest_path))
    if manifest["id"] != state["features_model"]:
        raise SystemExit(f"the head was trained on {state['features_model']}'s features, not {manifest['id']}'s")
    c = int(state["in_channels"])
    g = int(manifest["preprocessing"]["embeddingGrid"])
    if manifest["encoder"]["outputs"][0]["shape"] != [1, c, g, g]:
        raise SystemExit(f"the head reads [1, {c}, {g}, {g}] embeddings; the encoder gives {manifest['encoder']['outputs'][0]['shape']}")
    cap = CaptionHead(len(CAPTION_VOCAB), in_channels=c)
    cap.load_state_dict(state["cap"])
    cap.eval()
    heldout = state["eval"]
    if args.eval:
        from train_caption_head import Scenes, evaluate
        heldout = evaluate(cap, Scenes(args.eval), heldout["scenes"])

    emb = parity_embeddings(c, g)
    region, has_region = torch.tensor([PARITY_REGION]), torch.ones(1)
    with torch.no_grad():
        mem = cap.context(emb, region, has_region)
    torch.onnx.export(CaptionContext(cap), (emb, region, has_region), os.path.join(args.model, CAPTION_FILES[0]),
                      input_names=["image_embeddings", "region_box", "has_region_box"], output_names=["caption_memory"],
                      opset_version=OPSET, do_constant_folding=True)
    tok = torch.tensor([[BOS_ID] + encode_words(PARITY_WORDS)])
    torch.onnx.export(CaptionStep(cap), (mem, tok), os.path.join(args.model, CAPTION_FILES[1]),
                      input_names=["caption_memory", "token_ids"], output_names=["word_logits", "word_points"],
                      opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"token_ids": {1: "T"}, "word_logits": {1: "T"}, "word_points": {1: "T"}})
    for name in CAPTION_FILES:
        p = os.path.join(args.model, name)
        manifest["files"][name.split(".")[0]] = {"path": name, "sha256": sha256(p), "bytes": os.path.getsize(p)}
    manifest["captioner"] = captioner_manifest(list(mem.shape), c)
    manifest["captionerTraining"] = {"script": "models/training/train_caption_head.py", "encoder": "frozen",
                                     "steps": state["step"], "seconds": state["seconds"], "heldout": heldout}
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    parity_path = os.path.join(args.model, "parity.json")
    parity = json.load(open(parity_path))
    with torch.no_grad():
        logits, points = cap.step(mem, tok)
    parity["captioner"] = {"embeddings": "parity_embeddings(c, g) of export_caption_head.py", "region_box": PARITY_REGION,
                           "has_region_box": 1, "token_ids": tok[0].tolist(), "memory_shape": list(mem.shape),
                           "word_points": points[0].tolist(), "word_logits_sample": logits.flatten()[::7].tolist(),
                           "greedy": greedy(cap, emb, GREEDY_WORDS), "locate": locate(cap, emb, LOCATE_WORDS),
                           "describes": describes(cap, emb, PARITY_REGION, DESCRIBE_READINGS)}
    with open(parity_path, "w") as f:
        json.dump(parity, f)
    total = sum(os.path.getsize(os.path.join(args.model, n)) for n in CAPTION_FILES)
    print(f"added the caption head to {args.model} ({total / 1e6:.2f} MB of ONNX); held-out: {heldout}")


if __name__ == "__main__":
    main()
