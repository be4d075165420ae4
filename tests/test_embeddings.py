"""The offline MiniLM embedder: shape, normalisation, meaning, and use as a Chroma EF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from prep_agent.knowledge.embeddings import DIMENSIONS, MiniLMEmbedding, model_files

KEY_POINT = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
             "and software for training and inference.")


def test_encode_gives_unit_vectors(encoder: Any) -> None:
    vectors = encoder.encode(["DGX Spark", "", "a much longer sentence about GPUs " * 80])
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_batching_and_order_do_not_change_vectors(encoder: Any) -> None:
    texts = ["short", "a somewhat longer sentence about data centers", "mid length text"]
    one_by_one = np.vstack([encoder.encode([t]) for t in texts])
    batched = encoder.encode(texts, batch_size=2)
    assert np.allclose(one_by_one, batched, atol=1e-4)


def test_parallel_sessions_give_the_same_vectors_in_order() -> None:
    from prep_agent.knowledge.embeddings import Encoder

    texts = [f"sentence {i} about {'GPU clusters ' * (i % 5)}and schedulers" for i in range(9)]
    single = Encoder(*model_files(), threads=1).encode(texts, batch_size=1)
    parallel = Encoder(*model_files(), threads=2)
    assert len(parallel.sessions) == 2
    assert np.allclose(parallel.encode(texts, batch_size=1), single, atol=1e-4)
    assert np.allclose(parallel.encode(texts, batch_size=4), single, atol=1e-4)


def test_paraphrase_of_key_point_is_nearer_than_off_topic(encoder: Any) -> None:
    key, paraphrase, off_topic = encoder.encode([
        KEY_POINT,
        "DGX machines bring GPU-based AI training and inference from big data centres down to "
        "developers' desktops.",
        "My favourite pasta recipe uses fresh basil and a slow-cooked tomato sauce.",
    ])
    assert float(key @ paraphrase) > float(key @ off_topic) + 0.3


def test_chroma_embedding_function(encoder: Any) -> None:
    ef = MiniLMEmbedding(encoder)
    rows = ef(["one", "two"])
    assert len(rows) == 2 and len(rows[0]) == DIMENSIONS
    assert ef.default_space() == "cosine" and MiniLMEmbedding.name() == "prep-agent-minilm-int8"
    assert isinstance(MiniLMEmbedding.build_from_config(ef.get_config()), MiniLMEmbedding)


def test_model_files_ship_with_packages() -> None:
    onnx, tokenizer = model_files()
    assert onnx.is_file() and tokenizer.is_file()
    assert isinstance(onnx, Path)
