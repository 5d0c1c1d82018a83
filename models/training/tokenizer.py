"""Word-level, lower-case tokenizer shared by training and (as
tokenizer.json) by engine/worker/models/segmenter/tokenizer.ts."""
from __future__ import annotations

import json
import re

from shapes_world import COLOURS, SHAPES, SIZES, STUFF

PAD, UNK = "[PAD]", "[UNK]"
MAX_LEN = 32
EXTRA = ["the", "a", "an", "left", "right", "of", "above", "below", "and", "with", "there", "is", "are",
         "on", "in", "under", "near", "next", "to", "object", "shape", "region", "thing", "big", "tiny",
         "all", "every", "background", "this", "that", "one", "two", "three", "many", "some", "it"]
VOCAB = [PAD, UNK] + list(COLOURS) + SHAPES + list(SIZES) + STUFF + EXTRA
WORD_RE = r"[a-z]+"


def tokenize(text: str, vocab: dict[str, int]) -> list[int]:
    words = re.findall(WORD_RE, text.lower())[:MAX_LEN]
    ids = [vocab.get(w, vocab[UNK]) for w in words]
    return ids or [vocab[UNK]]  # an empty phrase still yields one token


def vocab_index() -> dict[str, int]:
    return {w: i for i, w in enumerate(VOCAB)}


def tokenizer_json() -> dict:
    return {"type": "word-level", "lowercase": True, "split_regex": WORD_RE, "max_length": MAX_LEN,
            "pad_id": 0, "unk_id": 1, "pad_token": PAD, "unk_token": UNK, "vocab": vocab_index()}


if __name__ == "__main__":
    print(json.dumps(tokenizer_json())[:300])
