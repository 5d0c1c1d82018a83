"""Build a model in Segment Anything's exact ONNX format (the test fixture
test/fixtures/sam-format/) from the built-in shapes-seem-tiny, by ONNX graph
surgery only: no PyTorch checkpoint and no SAM weights are needed.

Why: the app must run real SAM exports (an encoder taking [1,3,1024,1024]
normalised with ImageNet mean/std, and the public SAM decoder signature)
through the same adapter as the built-in model. No SAM weights can ship with
the repository, so this script wraps the built-in model in SAM's I/O
contract. A test that gets good masks out of it proves the adapter's SAM
preprocessing (longest side 1024, ImageNet stats in 0-255, zero padding
bottom-right), its 1024-pixel coordinate frame, its 256x256 mask input and
its handling of a decoder without text/reference inputs.

Encoder  image [1,3,1024,1024] (normalised with this fixture's manifest stats)
  -> per-channel affine from those stats to the built-in model's stats
     (read from its manifest.json; identical here, so it is exact; with
     different stats the zero padding would map to the source mean)
  -> AveragePool k x k (k = 1024 / built-in input size: an area resize,
     the closest in-graph match to the antialiased resize the built-in
     preprocessing does)
  -> built-in encoder -> [1,C,g,g]
  -> zero-padded to 256 channels and nearest-upsampled x2 to SAM ViT-B's
     [1,256,64,64], so the fixture exercises SAM's embedding shape; the
     decoder takes every other cell of the first C channels back, exactly.
Decoder  image_embeddings [1,256,64,64], point_coords [1,N,2] (1024 frame),
         point_labels [1,N], mask_input [1,1,256,256], has_mask_input [1],
         orig_im_size [2]
  -> coords x (built-in input size / 1024), mask_input AveragePool 2x2 to the
     built-in [1,1,128,128]; text/ref inputs become constants with their
     has_* flags at 0
  -> built-in decoder
  -> masks [1,3,H,W], iou_predictions [1,3], low_res_masks bilinear x2 to
     [1,3,256,256]; class_embedding dropped.

Regenerate (Debian python with the onnx package; a few seconds):

    /usr/bin/python3 models/training/export_sam_format.py
    # options: --src models/shapes-seem-tiny --out test/fixtures/sam-format

then run `node --import tsx --test test/unit/models/samFormat.test.ts`.
The output is deterministic: the same built-in model gives the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

SAM_INPUT_SIZE = 1024
SAM_PIXEL_MEAN = [123.675, 116.28, 103.53]
SAM_PIXEL_STD = [58.395, 57.12, 57.375]
SAM_EMBED_CHANNELS = 256
SAM_EMBED_GRID = 64
SAM_LOWRES = 256
SAM_DECODER_INPUTS = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"]
SAM_DECODER_OUTPUTS = ["masks", "iou_predictions", "low_res_masks"]
# Prefix for the built-in model's own tensors inside the wrapped graphs.
INNER = "shapes/"


def rename_everywhere(graph: onnx.GraphProto, old: str, new: str) -> None:
    """Rename a tensor in every node input/output (the graphs have no subgraphs)."""
    for node in graph.node:
        for attr in node.attribute:
            if attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise ValueError(f"node {node.name} has a subgraph; this script does not rename inside subgraphs")
        node.input[:] = [new if n == old else n for n in node.input]
        node.output[:] = [new if n == old else n for n in node.output]


def value_info(name: str, shape: list[int | str]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def const(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def prune(graph: onnx.GraphProto) -> None:
    """Drop nodes and initializers that no graph output depends on."""
    needed = {o.name for o in graph.output}
    kept: list[onnx.NodeProto] = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    kept.reverse()
    del graph.node[:]
    graph.node.extend(kept)
    inits = [t for t in graph.initializer if t.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    del graph.value_info[:]  # stale after surgery; shape inference rebuilds it


def finish(model: onnx.ModelProto, path: str) -> None:
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def build_encoder(src: dict, src_dir: str, out_path: str) -> dict:
    pre = src["preprocessing"]
    size = int(pre["inputSize"])
    if SAM_INPUT_SIZE % size:
        raise ValueError(f"built-in input size {size} does not divide {SAM_INPUT_SIZE}")
    factor = SAM_INPUT_SIZE // size
    enc_in = src["encoder"]["inputs"][0]["name"]
    enc_out = src["encoder"]["outputs"][0]["name"]
    channels = int(src["encoder"]["outputs"][0]["shape"][1])
    grid = int(pre["embeddingGrid"])
    if SAM_EMBED_GRID % grid or channels > SAM_EMBED_CHANNELS:
        raise ValueError(f"built-in embeddings [{channels},{grid},{grid}] do not fit SAM's [256,64,64]")
    up = SAM_EMBED_GRID // grid

    model = onnx.load(os.path.join(src_dir, src["encoder"]["file"]))
    g = model.graph
    rename_everywhere(g, enc_in, INNER + enc_in)
    rename_everywhere(g, enc_out, INNER + enc_out)
    del g.input[:]
    del g.output[:]

    # x_src = x_sam * std_sam / std_src + (mean_sam - mean_src) / std_src, per channel
    mean_src = np.array(pre["pixelMean"], np.float64)
    std_src = np.array(pre["pixelStd"], np.float64)
    scale = (np.array(SAM_PIXEL_STD) / std_src).astype(np.float32).reshape(1, 3, 1, 1)
    offset = ((np.array(SAM_PIXEL_MEAN) - mean_src) / std_src).astype(np.float32).reshape(1, 3, 1, 1)
    g.initializer.extend([
        const("sam/norm_scale", scale),
        const("sam/norm_offset", offset),
        const("sam/embed_pads", np.array([0, 0, 0, 0, 0, SAM_EMBED_CHANNELS - channels, 0, 0], np.int64)),
        const("sam/embed_scales", np.array([1, 1, up, up], np.float32)),
    ])
    head = [
        helper.make_node("Mul", ["image", "sam/norm_scale"], ["sam/scaled"], name="sam/renorm_scale"),
        helper.make_node("Add", ["sam/scaled", "sam/norm_offset"], ["sam/renormalised"], name="sam/renorm_offset"),
        helper.make_node("AveragePool", ["sam/renormalised"], [INNER + enc_in], name="sam/resize_to_builtin",
                         kernel_shape=[factor, factor], strides=[factor, factor]),
    ]
    tail = [
        helper.make_node("Pad", [INNER + enc_out, "sam/embed_pads"], ["sam/embed_padded"], name="sam/pad_channels",
                         mode="constant"),
        helper.make_node("Resize", ["sam/embed_padded", "", "sam/embed_scales"], ["image_embeddings"],
                         name="sam/upsample_grid", mode="nearest", coordinate_transformation_mode="asymmetric",
                         nearest_mode="floor"),
    ]
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    g.input.append(value_info("image", [1, 3, SAM_INPUT_SIZE, SAM_INPUT_SIZE]))
    g.output.append(value_info("image_embeddings", [1, SAM_EMBED_CHANNELS, SAM_EMBED_GRID, SAM_EMBED_GRID]))
    g.name = "sam_format_encoder"
    prune(g)
    finish(model, out_path)
    return {"factor": factor, "channels": channels, "grid": grid, "up": up}


def build_decoder(src: dict, src_dir: str, out_path: str, enc: dict) -> int:
    pre = src["preprocessing"]
    size = int(pre["inputSize"])
    lowres = int(pre["lowResMaskSize"])
    if SAM_LOWRES % lowres:
        raise ValueError(f"built-in low-res size {lowres} does not divide {SAM_LOWRES}")
    mask_factor = SAM_LOWRES // lowres
    dec = src["decoder"]
    declared = {t["name"]: t for t in dec["inputs"]}
    for name in SAM_DECODER_INPUTS:
        if name not in declared:
            raise ValueError(f"built-in decoder lacks SAM input {name}")
    num_masks = int(dec["numMasks"])

    model = onnx.load(os.path.join(src_dir, dec["file"]))
    g = model.graph
    for name in ("image_embeddings", "point_coords", "mask_input"):
        rename_everywhere(g, name, INNER + name)
    rename_everywhere(g, "low_res_masks", INNER + "low_res_masks")

    # The built-in extras become constants that switch them off.
    extras: list[onnx.TensorProto] = []
    for name, spec in declared.items():
        if name in SAM_DECODER_INPUTS:
            continue
        shape = [int(d) for d in spec["shape"]]
        extras.append(const(name, np.zeros(shape, np.float32)))  # embeddings 0, has_* flags 0
    g.initializer.extend(extras)

    c, grid, up = enc["channels"], enc["grid"], enc["up"]
    g.initializer.extend([
        const("sam/emb_starts", np.array([0, 0, 0, 0], np.int64)),
        const("sam/emb_ends", np.array([1, c, grid * up, grid * up], np.int64)),
        const("sam/emb_steps", np.array([1, 1, up, up], np.int64)),
        const("sam/coord_scale", np.array(size / SAM_INPUT_SIZE, np.float32)),
        const("sam/lowres_scales", np.array([1, 1, mask_factor, mask_factor], np.float32)),
    ])
    head = [
        helper.make_node("Slice", ["image_embeddings", "sam/emb_starts", "sam/emb_ends", "", "sam/emb_steps"],
                         [INNER + "image_embeddings"], name="sam/embeddings_to_builtin"),
        helper.make_node("Mul", ["point_coords", "sam/coord_scale"], [INNER + "point_coords"],
                         name="sam/coords_to_builtin_frame"),
        helper.make_node("AveragePool", ["mask_input"], [INNER + "mask_input"], name="sam/mask_input_to_builtin",
                         kernel_shape=[mask_factor, mask_factor], strides=[mask_factor, mask_factor]),
    ]
    tail = [
        helper.make_node("Resize", [INNER + "low_res_masks", "", "sam/lowres_scales"], ["low_res_masks"],
                         name="sam/low_res_to_sam", mode="linear", coordinate_transformation_mode="half_pixel"),
    ]
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    del g.input[:]
    g.input.extend([
        value_info("image_embeddings", [1, SAM_EMBED_CHANNELS, SAM_EMBED_GRID, SAM_EMBED_GRID]),
        value_info("point_coords", [1, "num_points", 2]),
        value_info("point_labels", [1, "num_points"]),
        value_info("mask_input", [1, 1, SAM_LOWRES, SAM_LOWRES]),
        value_info("has_mask_input", [1]),
        value_info("orig_im_size", [2]),
    ])
    del g.output[:]
    g.output.extend([
        value_info("masks", [1, num_masks, "height", "width"]),
        value_info("iou_predictions", [1, num_masks]),
        value_info("low_res_masks", [1, num_masks, SAM_LOWRES, SAM_LOWRES]),
    ])
    g.name = "sam_format_decoder"
    prune(g)
    finish(model, out_path)
    return num_masks


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_manifest(src: dict, out: str, num_masks: int) -> None:
    files = {}
    for key, name in (("encoder", "encoder.onnx"), ("decoder", "decoder.onnx")):
        p = os.path.join(out, name)
        files[key] = {"path": name, "sha256": sha256(p), "bytes": os.path.getsize(p)}
    emb = [1, SAM_EMBED_CHANNELS, SAM_EMBED_GRID, SAM_EMBED_GRID]
    manifest = {
        "id": "sam-format-fixture",
        "displayName": "shapes-seem-tiny in Segment Anything's ONNX format (test fixture)",
        "kind": "promptable-segmenter",
        "version": "1.0.0",
        "license": src["license"],
        "trainedOn": f"the built-in {src['id']} {src['version']} (see models/{src['id']}/MODEL_CARD.md), re-wrapped "
                     "in Segment Anything's ONNX format by models/training/export_sam_format.py",
        "files": files,
        "encoder": {
            "file": "encoder.onnx",
            "inputs": [{"name": "image", "type": "float32", "shape": [1, 3, SAM_INPUT_SIZE, SAM_INPUT_SIZE]}],
            "outputs": [{"name": "image_embeddings", "type": "float32", "shape": emb}],
        },
        "decoder": {
            "file": "decoder.onnx",
            "signature": "segment-anything",
            "inputs": [
                {"name": "image_embeddings", "type": "float32", "shape": emb},
                {"name": "point_coords", "type": "float32", "shape": [1, "N", 2]},
                {"name": "point_labels", "type": "float32", "shape": [1, "N"]},
                {"name": "mask_input", "type": "float32", "shape": [1, 1, SAM_LOWRES, SAM_LOWRES]},
                {"name": "has_mask_input", "type": "float32", "shape": [1]},
                {"name": "orig_im_size", "type": "float32", "shape": [2]},
            ],
            "outputs": [
                {"name": "masks", "type": "float32", "shape": [1, num_masks, "H", "W"]},
                {"name": "iou_predictions", "type": "float32", "shape": [1, num_masks]},
                {"name": "low_res_masks", "type": "float32", "shape": [1, num_masks, SAM_LOWRES, SAM_LOWRES]},
            ],
            "maskThreshold": 0.0,
            "numMasks": num_masks,
            "maxPoints": int(src["decoder"]["maxPoints"]),
        },
        "preprocessing": {
            "inputSize": SAM_INPUT_SIZE,
            "resize": "longest side to inputSize, bilinear",
            "channelOrder": "RGB",
            "layout": "NCHW",
            "pixelMean": SAM_PIXEL_MEAN,
            "pixelStd": SAM_PIXEL_STD,
            "valueRange": "0-255",
            "padding": "zeros after normalisation, bottom and right, to inputSize x inputSize",
            "coordinateFrame": "point_coords in pixels of the resized (unpadded) image",
            "embeddingGrid": SAM_EMBED_GRID,
            "embeddingStride": SAM_INPUT_SIZE // SAM_EMBED_GRID,
            "lowResMaskSize": SAM_LOWRES,
        },
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=os.path.join(ROOT, "models", "shapes-seem-tiny"), help="built-in model folder")
    ap.add_argument("--out", default=os.path.join(ROOT, "test", "fixtures", "sam-format"), help="folder to write")
    args = ap.parse_args()
    src_dir, out = os.path.abspath(args.src), os.path.abspath(args.out)
    with open(os.path.join(src_dir, "manifest.json")) as f:
        src = json.load(f)
    os.makedirs(out, exist_ok=True)
    enc = build_encoder(src, src_dir, os.path.join(out, "encoder.onnx"))
    num_masks = build_decoder(src, src_dir, os.path.join(out, "decoder.onnx"), enc)
    write_manifest(src, out, num_masks)
    for name in ("encoder.onnx", "decoder.onnx", "manifest.json"):
        print(f"{os.path.join(out, name)}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
