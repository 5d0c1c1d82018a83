"""Shared constants and the image -> model-frame transform (the same maths
as engine/worker/modelFrame.ts, engine/worker/models/segmenter/preprocess.ts
and SAM's ResizeLongestSide)."""
from __future__ import annotations

import numpy as np
from PIL import Image

INPUT_SIZE = 256  # S: longest side after resize; the embedding grid is S/8
GRID = INPUT_SIZE // 8
LOWRES = 4 * GRID
PIXEL_MEAN = (123.675, 116.28, 103.53)
PIXEL_STD = (58.395, 57.12, 57.375)
TRAIN_SEED = 1000
EVAL_SEED = 2000


def resized_hw(h: int, w: int, size: int = INPUT_SIZE) -> tuple[int, int]:
    s = size / max(h, w)
    return int(h * s + 0.5), int(w * s + 0.5)


def resize_image(image: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    nh, nw = resized_hw(image.shape[0], image.shape[1], size)
    return np.asarray(Image.fromarray(image).resize((nw, nh), Image.BILINEAR), np.uint8)


def resize_mask(mask: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    nh, nw = resized_hw(mask.shape[0], mask.shape[1], size)
    m = Image.fromarray(mask.astype(np.uint8) * 255).resize((nw, nh), Image.BILINEAR)
    return np.asarray(m) > 127


def normalise_pad(resized: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """uint8 HxWx3 (already resized) -> float32 3xSxS, zero-padded bottom-right
    after normalisation (so padding is 0 like SAM)."""
    x = (resized.astype(np.float32) - np.array(PIXEL_MEAN, np.float32)) / np.array(PIXEL_STD, np.float32)
    out = np.zeros((3, size, size), np.float32)
    out[:, : x.shape[0], : x.shape[1]] = x.transpose(2, 0, 1)
    return out


def to_model_xy(x: float, y: float, h: int, w: int, size: int = INPUT_SIZE) -> tuple[float, float]:
    nh, nw = resized_hw(h, w, size)
    return x * nw / w, y * nh / h
