"""Caption words for the caption head: the shapes world's captions split into
words (and commas) that line up one-to-one with Scene.word_points, and the
caption vocabulary (the tokenizer's words plus the few caption-only ones)."""
from __future__ import annotations

import re

from tokenizer import VOCAB

PAD, BOS, EOS, UNK = "[PAD]", "[BOS]", "[EOS]", "[UNK]"
CAPTION_WORD_RE = r"[a-z]+|,"
_EXTRA = [",", "empty", "scene"]
CAPTION_VOCAB = [PAD, BOS, EOS, UNK] + [w for w in VOCAB[2:] + _EXTRA if w not in (PAD, UNK)]
CAPTION_INDEX = {w: i for i, w in enumerate(CAPTION_VOCAB)}
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


def caption_words(caption: str) -> list[str]:
    """'There is a small red circle, a ...' -> ['there', 'is', 'a', 'small', 'red', 'circle', ',', 'a', ...]."""
    return re.findall(CAPTION_WORD_RE, caption.lower())


def encode_words(words: list[str]) -> list[int]:
    return [CAPTION_INDEX.get(w, UNK_ID) for w in words]


def decode_ids(ids: list[int]) -> list[str]:
    return [CAPTION_VOCAB[i] for i in ids]


def join_words(words: list[str]) -> str:
    """Words back to a caption sentence (capitalised, commas attached, full stop)."""
    text = " ".join(words).replace(" ,", ",")
    return (text[:1].upper() + text[1:] + ".") if text else ""
