"""Export a trained checkpoint to ONNX (encoder, decoder with SAM's decoder
signature + text/ref extras, text encoder), write tokenizer.json,
manifest.json and parity fixtures.

    /usr/bin/python3 models/training/export.py --ckpt models/training/.work/model.pt
"""
from __future__ import annotations

import os

# one CPU thread for everything (the machine is shared)
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import GRID, INPUT_SIZE, LOWRES, PIXEL_MEAN, PIXEL_STD  # noqa: E402
from model import C_EMB, D_TEXT, K, ImageEncoder, PromptDecoder, TextEncoder, postprocess_masks  # noqa: E402
from shapes_world import CATEGORIES, STUFF, THING_CATEGORIES  # noqa: E402
from tokenizer import VOCAB, tokenize, tokenizer_json, vocab_index  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL_ID = "shapes-seem-tiny"
OUT = os.path.join(ROOT, "models", MODEL_ID)
WORK = os.path.join(HERE, ".work")
OPSET = 17


class DecoderExport(nn.Module):
    def __init__(self, dec: PromptDecoder):
        super().__init__()
        self.dec = dec

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size,
                text_embedding, has_text_embedding, ref_embedding, has_ref_embedding):
        low, iou, cls = self.dec(image_embeddings, point_coords, point_labels, mask_input, has_mask_input,
                                 text_embedding, has_text_embedding, ref_embedding, has_ref_embedding)
        masks = postprocess_masks(low, orig_im_size)
        return masks, iou, low, cls


def load(ckpt: str) -> tuple[ImageEncoder, PromptDecoder, TextEncoder, dict]:
    state = torch.load(ckpt, map_location="cpu")
    enc, dec, txt = ImageEncoder(), PromptDecoder(), TextEncoder(len(VOCAB))
    enc.load_state_dict(state["enc"])
    dec.load_state_dict(state["dec"])
    txt.load_state_dict(state["txt"])
    for m in (enc, dec, txt):
        m.eval()
    return enc, dec, txt, state


def parity_inputs() -> dict[str, np.ndarray]:
    """Deterministic inputs that Node can rebuild from a formula (no big fixtures)."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(INPUT_SIZE), np.arange(INPUT_SIZE), indexing="ij")
    image = (np.sin(0.05 * x * (c + 1) + 0.03 * y) * 1.5).astype(np.float32)[None]
    return {"image": image}


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def main() -> None:
    global OUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(WORK, "model.pt"))
    ap.add_argument("--out", default=OUT, help="model folder to write (default: the shipped one)")
    args = ap.parse_args()
    OUT = os.path.abspath(args.out)
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    enc, dec, txt, state = load(args.ckpt)

    # ---------- encoder
    img = torch.from_numpy(parity_inputs()["image"])
    torch.onnx.export(enc, (img,), os.path.join(OUT, "encoder.onnx"), input_names=["image"],
                      output_names=["image_embeddings"], opset_version=OPSET, do_constant_folding=True)
    # ---------- decoder
    with torch.no_grad():
        emb = enc(img)
    n = 2
    dummy = (emb, torch.tensor([[[100.0, 80.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]),
             torch.zeros(1, 1, LOWRES, LOWRES), torch.zeros(1), torch.tensor([300.0, 400.0]),
             torch.zeros(1, D_TEXT), torch.zeros(1), torch.zeros(1, C_EMB), torch.zeros(1))
    dec_names = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size",
                 "text_embedding", "has_text_embedding", "ref_embedding", "has_ref_embedding"]
    dec_out = ["masks", "iou_predictions", "low_res_masks", "class_embedding"]
    torch.onnx.export(DecoderExport(dec), dummy, os.path.join(OUT, "decoder.onnx"), input_names=dec_names,
                      output_names=dec_out, opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"},
                                    "masks": {2: "height", 3: "width"}})
    # ---------- text encoder
    ids = torch.tensor([tokenize("the small blue triangle left of the red circle", vocab_index())])
    am = torch.ones_like(ids)
    torch.onnx.export(txt, (ids, am), os.path.join(OUT, "text_encoder.onnx"),
                      input_names=["token_ids", "attention_mask"], output_names=["text_embedding"],
                      opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"token_ids": {1: "tokens"}, "attention_mask": {1: "tokens"}})
    with open(os.path.join(OUT, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f, indent=1)

    write_parity(enc, dec, txt, img)
    write_manifest(state)
    print("exported to", OUT)


def write_parity(enc, dec, txt, img, work: str | None = None) -> dict:
    """Reference outputs for the Node parity check: full tensors as raw
    float32 in .work/parity/ plus a small committed summary."""
    work = work or WORK
    os.makedirs(os.path.join(work, "parity"), exist_ok=True)
    voc = vocab_index()
    phrase = "the small blue triangle left of the red circle"
    with torch.no_grad():
        emb = enc(img)
        ids = torch.tensor([tokenize(phrase, voc)])
        temb = txt(ids, torch.ones_like(ids))
        ref = emb[0, :, 4:12, 6:14].mean((1, 2))[None]
        coords = torch.tensor([[[60.0, 70.0], [150.0, 120.0], [0.0, 0.0]]])
        labels = torch.tensor([[1.0, 0.0, -1.0]])
        mask_in = torch.linspace(-3, 3, LOWRES * LOWRES).view(1, 1, LOWRES, LOWRES)
        orig = torch.tensor([300.0, 420.0])
        out = DecoderExport(dec)(emb, coords, labels, mask_in, torch.ones(1), orig, temb, torch.ones(1), ref,
                                 torch.ones(1))
    tensors = {"image_embeddings": emb, "text_embedding": temb, "ref_embedding": ref, "masks": out[0],
               "iou_predictions": out[1], "low_res_masks": out[2], "class_embedding": out[3]}
    for name, t in tensors.items():
        t.numpy().astype(np.float32).tofile(os.path.join(work, "parity", name + ".bin"))
    summary = {
        "image_formula": "image[0,c,y,x] = 1.5*sin(0.05*x*(c+1) + 0.03*y)",
        "phrase": phrase, "token_ids": ids[0].tolist(),
        "decoder": {"point_coords": coords[0].tolist(), "point_labels": labels[0].tolist(),
                    "mask_input_formula": "linspace(-3, 3, 4g*4g) row-major", "has_mask_input": 1,
                    "orig_im_size": orig.tolist(), "text": "text_embedding of phrase", "ref": "mean of image_embeddings[:, 4:12, 6:14]"},
        "shapes": {k: list(v.shape) for k, v in tensors.items()},
        "iou_predictions": out[1][0].tolist(),
        "text_embedding": temb[0].tolist(),
        "image_embeddings_sample": emb.flatten()[::997].tolist(),
        "masks_sample": out[0].flatten()[::4999].tolist(),
    }
    with open(os.path.join(OUT, "parity.json"), "w") as f:
        json.dump(summary, f)
    return summary


def write_manifest(state: dict, c_emb: int = C_EMB, extra_files: tuple[str, ...] = ()) -> dict:
    """Writes OUT/manifest.json (and returns it); `c_emb` is the embedding
    channel count of the exported encoder, `extra_files` more files to list."""
    files = {}
    for name in ["encoder.onnx", "decoder.onnx", "text_encoder.onnx", "tokenizer.json", *extra_files]:
        p = os.path.join(OUT, name)
        files[name.split(".")[0]] = {"path": name, "sha256": sha256(p), "bytes": os.path.getsize(p)}
    g, lr = GRID, LOWRES
    manifest = {
        "id": MODEL_ID,
        "displayName": "Shapes SEEM tiny (synthetic demo)",
        "kind": "promptable-segmenter",
        "version": "1.0.0",
        "license": "Apache-2.0",
        "trainedOn": "synthetic shapes-world data generated by models/training (seed 1000); see MODEL_CARD.md",
        "files": files,
        "encoder": {
            "file": "encoder.onnx",
            "inputs": [{"name": "image", "type": "float32", "shape": [1, 3, INPUT_SIZE, INPUT_SIZE]}],
            "outputs": [{"name": "image_embeddings", "type": "float32", "shape": [1, c_emb, g, g]}],
        },
        "decoder": {
            "file": "decoder.onnx",
            "signature": "segment-anything+text+ref",
            "inputs": [
                {"name": "image_embeddings", "type": "float32", "shape": [1, c_emb, g, g]},
                {"name": "point_coords", "type": "float32", "shape": [1, "N", 2]},
                {"name": "point_labels", "type": "float32", "shape": [1, "N"]},
                {"name": "mask_input", "type": "float32", "shape": [1, 1, lr, lr]},
                {"name": "has_mask_input", "type": "float32", "shape": [1]},
                {"name": "orig_im_size", "type": "float32", "shape": [2]},
                {"name": "text_embedding", "type": "float32", "shape": [1, D_TEXT]},
                {"name": "has_text_embedding", "type": "float32", "shape": [1]},
                {"name": "ref_embedding", "type": "float32", "shape": [1, c_emb]},
                {"name": "has_ref_embedding", "type": "float32", "shape": [1]},
            ],
            "outputs": [
                {"name": "masks", "type": "float32", "shape": [1, K, "H", "W"]},
                {"name": "iou_predictions", "type": "float32", "shape": [1, K]},
                {"name": "low_res_masks", "type": "float32", "shape": [1, K, lr, lr]},
                {"name": "class_embedding", "type": "float32", "shape": [1, K, D_TEXT]},
            ],
            "maskThreshold": 0.0,
            "numMasks": K,
            "classEmbedding": "per candidate mask [1,K,D], L2-normalised; label = argmax cosine vs text embeddings",
            "pointLabels": {"negative": 0, "positive": 1, "boxTopLeft": 2, "boxBottomRight": 3, "padding": -1},
            "paddingPoint": "without a box the client appends one point (0,0) with label -1; text/ref-only requests send just that point",
            "maxPoints": 512,
        },
        "textEncoder": {
            "file": "text_encoder.onnx",
            "inputs": [{"name": "token_ids", "type": "int64", "shape": [1, "T"]},
                       {"name": "attention_mask", "type": "int64", "shape": [1, "T"]}],
            "outputs": [{"name": "text_embedding", "type": "float32", "shape": [1, D_TEXT]}],
            "pooling": "mean over non-padding contextual token features, then MLP projection, L2-normalised",
        },
        "tokenizer": {"file": "tokenizer.json", "type": "word-level", "lowercase": True, "unkId": 1, "padId": 0,
                      "maxLength": 32},
        "preprocessing": {
            "inputSize": INPUT_SIZE,
            # The app's rule for this model (engine/worker/imaging/rules.ts), stated explicitly.
            "resize": "sharp-linear", "colour": "srgb",
            "frame": "longest side to inputSize, scale s = inputSize / max(H, W), new size (int(H*s+0.5), int(W*s+0.5)); "
                     "resampled with sharp's linear kernel from sRGB-converted pixels: the rule this model's evaluation "
                     "figures and tests were measured with (its training data were resized with PIL bilinear, "
                     "models/training/common.py)",
            "channelOrder": "RGB", "layout": "NCHW",
            "pixelMean": list(PIXEL_MEAN), "pixelStd": list(PIXEL_STD), "valueRange": "0-255",
            "padding": "zeros after normalisation, bottom and right, to inputSize x inputSize",
            "coordinateFrame": "point_coords in pixels of the resized (unpadded) image: x' = x * newW / W, y' = y * newH / H",
            "embeddingGrid": g, "embeddingStride": INPUT_SIZE // g, "lowResMaskSize": lr,
        },
        "refPooling": {
            "description": "ref_embedding = mean of the REFERENCE image's image_embeddings [C,g,g] over the region's grid cells",
            "cellCentre": "cell (i, j) has centre ((j + 0.5) * stride, (i + 0.5) * stride) in model-frame pixels, stride = inputSize / g",
            "box": "cells whose centre lies inside the box (inclusive); if none, the one cell containing the box centre",
            "scribble": "cells containing at least one scribble point (floor(x / stride), floor(y / stride)), clamped to the grid",
            "mask": "cells whose stride x stride block is more than half covered by the mask",
        },
        "labels": {"things": THING_CATEGORIES, "stuff": STUFF, "all": CATEGORIES},
        "training": {"steps": int(state.get("step", 0)), "label_steps": int(state.get("label_steps", 0)),
                     "head_steps": int(state.get("head_steps", 0)), "seconds": round(float(state.get("seconds", 0)), 1),
                     "script": "npm run models:train"},
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


if __name__ == "__main__":
    main()
