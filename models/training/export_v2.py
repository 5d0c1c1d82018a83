"""Export v2 weights (train_v2.py's weights.pt) to a model folder: the same
encoder / decoder / text encoder contract as v1 (export.py: Segment
Anything's decoder signature + text/ref extras + class_embedding), plus the
caption head as two more ONNX files declared under "captioner" in the
manifest, and the parity fixtures for parity_check.ts.

    /usr/bin/python3 models/training/export_v2.py --weights W.pt --out DIR [--work DIR]

Never writes the shipped model unless --out names it."""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import json
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export  # noqa: E402
from captions import BOS_ID, CAPTION_VOCAB, EOS_ID, PAD_ID, UNK_ID, encode_words  # noqa: E402
from common import GRID, INPUT_SIZE, LOWRES  # noqa: E402
from model_v2 import C_EMB, CAP_D, CAP_HEADS, CAP_LAYERS, D_TEXT, MAX_CAPTION  # noqa: E402
from tokenizer import tokenize, tokenizer_json, vocab_index  # noqa: E402

OPSET = export.OPSET
CAPTION_FILES = ("caption_context.onnx", "caption_step.onnx")
PARITY_REGION = [40.0, 30.0, 200.0, 180.0]
PARITY_WORDS = ["a", "small", "red", "circle", ","]


class CaptionContext(nn.Module):
    def __init__(self, cap):
        super().__init__()
        self.cap = cap

    def forward(self, image_embeddings, region_box, has_region_box):
        return self.cap.context(image_embeddings, region_box, has_region_box)


class CaptionStep(nn.Module):
    def __init__(self, cap):
        super().__init__()
        self.cap = cap

    def forward(self, caption_memory, token_ids):
        return self.cap.step(caption_memory, token_ids)


GREEDY_WORDS = 12


def greedy(cap, emb: torch.Tensor, n: int) -> dict:
    """Whole-image greedy decoding (no early stop at EOS, so every step is
    compared): the ids and points the app's decoding loop must reproduce."""
    with torch.no_grad():
        mem = cap.context(emb, torch.zeros(1, 4), torch.zeros(1))
        ids, pts = [BOS_ID], []
        for _ in range(n):
            logits, points = cap.step(mem, torch.tensor([ids]))
            ids.append(int(logits[0, -1].argmax()))
            pts.append(points[0, -1].tolist())
    return {"ids": ids[1:], "points": pts}


LOCATE_WORDS = ["small", "red", "circle"]
DESCRIBE_READINGS = [LOCATE_WORDS, ["a", *LOCATE_WORDS]]


def locate(cap, emb: torch.Tensor, words: list[str]) -> dict:
    """Phrase -> point (train_v2.caption_batch's phrase samples): the point of
    the position after the phrase's last word, whole-image context; the
    app's Captioner.locate must reproduce it."""
    with torch.no_grad():
        mem = cap.context(emb, torch.zeros(1, 4), torch.zeros(1))
        points = cap.step(mem, torch.tensor([[BOS_ID] + encode_words(words)]))[1]
    return {"words": words, "point": points[0, -1].tolist()}


def describes(cap, emb: torch.Tensor, region: list[float], readings: list[list[str]]) -> dict:
    """How likely the head describes `region` with each reading of a phrase:
    log p(words, end | start), teacher-forced, in nats; the app's
    Captioner.describes (Find's ranking) must reproduce them."""
    with torch.no_grad():
        mem = cap.context(emb, torch.tensor([region]), torch.ones(1))
        out = []
        for words in readings:
            ids = encode_words(words)
            logits = cap.step(mem, torch.tensor([[BOS_ID] + ids]))[0][0]
            out.append(float(torch.log_softmax(logits, -1)[torch.arange(len(ids) + 1), torch.tensor(ids + [EOS_ID])].sum()))
    return {"region_box": region, "readings": readings, "log_probabilities": out}


def load_v2(path: str):
    from evaluate import load_any

    enc, dec, txt, cap, state = load_any(path)
    if cap is None:
        raise SystemExit(f"{path}: not v2 weights (no caption head)")
    return enc, dec, txt, cap, state


def captioner_manifest(mem_shape: list[int], c: int = C_EMB) -> dict:
    """The manifest's "captioner" entry: what the app feeds and reads (`c`:
    the image embeddings' channels)."""
    return {
        "context": {
            "file": CAPTION_FILES[0],
            "inputs": [{"name": "image_embeddings", "type": "float32", "shape": [1, c, GRID, GRID]},
                       {"name": "region_box", "type": "float32", "shape": [1, 4]},
                       {"name": "has_region_box", "type": "float32", "shape": [1]}],
            "outputs": [{"name": "caption_memory", "type": "float32", "shape": mem_shape}],
        },
        "step": {
            "file": CAPTION_FILES[1],
            "inputs": [{"name": "caption_memory", "type": "float32", "shape": mem_shape},
                       {"name": "token_ids", "type": "int64", "shape": [1, "T"]}],
            "outputs": [{"name": "word_logits", "type": "float32", "shape": [1, "T", len(CAPTION_VOCAB)]},
                        {"name": "word_points", "type": "float32", "shape": [1, "T", 2]}],
        },
        "vocab": CAPTION_VOCAB,
        "padId": PAD_ID, "bosId": BOS_ID, "eosId": EOS_ID, "unkId": UNK_ID,
        "maxWords": MAX_CAPTION,
        "regionBox": "x0, y0, x1, y1 in model-frame pixels (as point_coords); has_region_box 1 describes that region "
                     "(box -> caption), 0 the whole image (region_box is then ignored)",
        "decoding": "run context once per image embeddings and region; then token_ids = [bosId], repeat: run step, "
                    "take argmax of word_logits[0, T-1], stop at eosId or maxWords, else append it; the word's point is "
                    "word_points[0, T-1] of the same step",
        "points": "word_points in model-frame pixels (divide by s = inputSize / max(H, W) for image pixels)",
        "words": "lower-case words and ',' joined with spaces, ',' attached to the previous word; first letter "
                 "upper-cased and a full stop added for display",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--work", default="", help="where the full parity tensors go (default OUT/../parity-work)")
    ap.add_argument("--version", default="2.0.0")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    work = os.path.abspath(args.work or os.path.join(out, "..", os.path.basename(out) + "-parity"))
    export.OUT = out
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    enc, dec, txt, cap, state = load_v2(args.weights)

    img = torch.from_numpy(export.parity_inputs()["image"])
    torch.onnx.export(enc, (img,), os.path.join(out, "encoder.onnx"), input_names=["image"],
                      output_names=["image_embeddings"], opset_version=OPSET, do_constant_folding=True)
    with torch.no_grad():
        emb = enc(img)
    dummy = (emb, torch.tensor([[[100.0, 80.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]),
             torch.zeros(1, 1, LOWRES, LOWRES), torch.zeros(1), torch.tensor([300.0, 400.0]),
             torch.zeros(1, D_TEXT), torch.zeros(1), torch.zeros(1, C_EMB), torch.zeros(1))
    dec_names = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size",
                 "text_embedding", "has_text_embedding", "ref_embedding", "has_ref_embedding"]
    torch.onnx.export(export.DecoderExport(dec), dummy, os.path.join(out, "decoder.onnx"), input_names=dec_names,
                      output_names=["masks", "iou_predictions", "low_res_masks", "class_embedding"],
                      opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"},
                                    "masks": {2: "height", 3: "width"}})
    ids = torch.tensor([tokenize("the small blue triangle left of the red circle", vocab_index())])
    torch.onnx.export(txt, (ids, torch.ones_like(ids)), os.path.join(out, "text_encoder.onnx"),
                      input_names=["token_ids", "attention_mask"], output_names=["text_embedding"],
                      opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"token_ids": {1: "tokens"}, "attention_mask": {1: "tokens"}})
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f, indent=1)
    # caption head: context (once per image + region) and step (once per word)
    region, has_region = torch.tensor([PARITY_REGION]), torch.ones(1)
    with torch.no_grad():
        mem = cap.context(emb, region, has_region)
    torch.onnx.export(CaptionContext(cap), (emb, region, has_region), os.path.join(out, CAPTION_FILES[0]),
                      input_names=["image_embeddings", "region_box", "has_region_box"], output_names=["caption_memory"],
                      opset_version=OPSET, do_constant_folding=True)
    tok = torch.tensor([[BOS_ID] + encode_words(PARITY_WORDS)])
    torch.onnx.export(CaptionStep(cap), (mem, tok), os.path.join(out, CAPTION_FILES[1]),
                      input_names=["caption_memory", "token_ids"], output_names=["word_logits", "word_points"],
                      opset_version=OPSET, do_constant_folding=True, dynamic_axes={"token_ids": {1: "T"},
                                                                                  "word_logits": {1: "T"},
                                                                                  "word_points": {1: "T"}})

    summary = export.write_parity(enc, dec, txt, img, work)
    with torch.no_grad():
        logits, points = cap.step(mem, tok)
    for name, t in {"caption_memory": mem, "word_logits": logits, "word_points": points}.items():
        t.numpy().astype(np.float32).tofile(os.path.join(work, "parity", name + ".bin"))
    summary["captioner"] = {"region_box": PARITY_REGION, "has_region_box": 1, "token_ids": tok[0].tolist(),
                            "memory_shape": list(mem.shape), "word_points": points[0].tolist(),
                            "word_logits_sample": logits.flatten()[::7].tolist(),
                            "greedy": greedy(cap, emb, GREEDY_WORDS), "locate": locate(cap, emb, LOCATE_WORDS),
                            "describes": describes(cap, emb, PARITY_REGION, DESCRIBE_READINGS)}
    with open(os.path.join(out, "parity.json"), "w") as f:
        json.dump(summary, f)

    manifest = export.write_manifest({"step": state.get("step", 0), "seconds": state.get("elapsed", 0)}, c_emb=C_EMB,
                                     extra_files=CAPTION_FILES)
    manifest["version"] = args.version
    manifest["trainedOn"] = ("synthetic wide-world data (shapes world + other families, fills and backgrounds) "
                             "generated by models/training/wide_world.py; see MODEL_CARD.md")
    manifest["captioner"] = captioner_manifest(list(mem.shape))
    manifest["training"] = {"steps": int(state.get("step", 0)), "seconds": round(float(state.get("elapsed", 0)), 1),
                            "device": str(state.get("device", "")), "script": "models/training/train_v2.py"}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".onnx"))
    print(f"exported to {out} (ONNX {total / 1e6:.2f} MB); parity tensors in {work}")


if __name__ == "__main__":
    main()
