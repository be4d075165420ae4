"""The offline MiniLM embedder: shape, normalisation, meaning, and use as a Chroma EF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from prep_agent.knowledge.embeddings import DIMENSIONS, MiniLMEmbedding, model_files

KEY_POINT = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
             "and software for training and inference.")


def test_encode_gives_unit_vectors(encoder: Any) -> None:
    vectors = encoder.encode(["DGX Spark", "", "a much longer sentence about GPUs " * 80])
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("which", ["encoder", "search_encoder"])
def test_batching_and_order_do_not_change_vectors(which: str, request: Any) -> None:
    # The int8 copy quantises each call's activations together, so only one text per call
    # keeps a vector independent of its company: asking for batches must not change that.
    encoder = request.getfixturevalue(which)
    texts = ["short", "a somewhat longer sentence about data centers", "mid length text"]
    one_by_one = np.vstack([encoder.encode([t]) for t in texts])
    batched = encoder.encode(texts, batch_size=2)
    assert np.allclose(one_by_one, batched, atol=1e-4)
    assert np.allclose(encoder.encode(texts[::-1], batch_size=3), one_by_one[::-1], atol=1e-4)


def test_the_int8_copy_is_made_once_named_by_its_source_and_close_to_it(
    tmp_path: Path, search_encoder: Any, encoder: Any
) -> None:
    from prep_agent.knowledge.int8_model import PREFIX, copy_key, ensure_copy

    source = model_files()[0]
    made = ensure_copy(tmp_path / "models", source)
    assert made.name == f"{PREFIX}{copy_key(source)}.onnx" and made.stat().st_size > 10_000_000
    stamp = made.stat().st_mtime_ns
    assert ensure_copy(tmp_path / "models", source) == made and made.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "models").iterdir()] == [made.name]  # no build leftovers
    texts = [KEY_POINT, "I ran a $300M provisioning program across 15,000 servers.", "short"]
    shipped, copy = search_encoder.encode(texts), encoder.encode(texts)
    assert (shipped * copy).sum(axis=1).min() > 0.98
    # The copy ranks meaning as the shipped weights do.
    assert np.allclose(copy @ copy.T, shipped @ shipped.T, atol=0.05)


def test_a_broken_int8_copy_is_made_again(tmp_path: Path) -> None:
    from prep_agent.knowledge.embeddings import load_encoder
    from prep_agent.knowledge.int8_model import copy_path

    models = tmp_path / "models"
    models.mkdir()
    broken = copy_path(models, model_files()[0])
    broken.write_bytes(b"not a model")
    vectors = load_encoder(models).encode(["DGX Spark"])
    assert np.isclose(np.linalg.norm(vectors), 1.0, atol=1e-4)
    assert broken.stat().st_size > 10_000_000


def test_an_abandoned_build_is_cleared_and_one_in_progress_kept(tmp_path: Path) -> None:
    import os

    from prep_agent.knowledge.int8_model import BUILD_PREFIX, ensure_copy

    models = tmp_path / "models"
    abandoned, running = models / f"{BUILD_PREFIX}old", models / f"{BUILD_PREFIX}new"
    for folder in (abandoned, running):
        folder.mkdir(parents=True)
        (folder / "folded.onnx").write_bytes(b"half")
    os.utime(abandoned, (1, 1))  # untouched since 1970: nobody is building there
    (models / "whisper-base").mkdir()  # someone else's folder in the same place
    made = ensure_copy(models, model_files()[0])
    assert sorted(p.name for p in models.iterdir()) == sorted([made.name, running.name,
                                                               "whisper-base"])


def test_an_unwritable_models_folder_names_the_fix(tmp_path: Path) -> None:
    from prep_agent.errors import EmbeddingModelError
    from prep_agent.knowledge.int8_model import ensure_copy

    blocked = tmp_path / "models"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(EmbeddingModelError, match="PREP_AGENT_HOME"):
        ensure_copy(blocked, model_files()[0])
    assert blocked.read_text() == "a file where the folder should be"


def test_parallel_sessions_give_the_same_vectors_in_order() -> None:
    from prep_agent.knowledge.embeddings import Encoder

    texts = [f"sentence {i} about {'GPU clusters ' * (i % 5)}and schedulers" for i in range(9)]
    single = Encoder(*model_files(), threads=1).encode(texts, batch_size=1)
    parallel = Encoder(*model_files(), threads=2)
    assert len(parallel.sessions) == 2
    assert np.allclose(parallel.encode(texts, batch_size=1), single, atol=1e-4)
    assert np.allclose(parallel.encode(texts, batch_size=4), single, atol=1e-4)


def test_a_lone_text_runs_on_every_core_with_the_same_vector(encoder: Any) -> None:
    # The grader compares a lone text (a span without its subject) with vectors made by the
    # one-thread sessions: they must agree to the bit, or a grade would depend on the route.
    assert encoder._wide is not encoder.sessions[0]
    text = ["systems are NVIDIA's flagship AI platforms that enterprises use to train models"]
    wide = encoder._encode_batch(text, encoder._wide)
    for session in encoder.sessions:
        assert np.array_equal(encoder._encode_batch(text, session), wide)
    assert np.array_equal(encoder.encode(text), wide)


def test_answer_and_new_notes_in_one_pass_match_separate_calls(encoder: Any) -> None:
    from prep_agent.knowledge.embeddings import Encoder

    fresh = Encoder(*model_files(), threads=2, max_batch=1)
    answer = ["First sentence of an answer.", "A second, longer sentence about GPU clusters."]
    notes = ["DGX Spark brings data center AI to desktops", "Align feedback with engineering"]
    vecs, refs = fresh.encode_with_cached(answer, [*notes, notes[0]], batch_size=1)
    assert np.array_equal(vecs, fresh.encode(answer, batch_size=1))
    assert np.array_equal(refs[:2], fresh.encode(notes, batch_size=1))
    assert np.array_equal(refs[2], refs[0])
    # The notes are remembered; the answer is not (each answer is new text).
    assert set(fresh._cache) == set(notes)
    again, cached = fresh.encode_with_cached([], notes)
    assert again.shape == (0, DIMENSIONS) and np.array_equal(cached, refs[:2])


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
