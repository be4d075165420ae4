"""The working copy of MiniLM: the shipped weights re-quantised for int8 arithmetic, built once.

The shipped model stores int8 weights but multiplies in float32: every weight is cast back to
float before its MatMul. ONNX Runtime's dynamic quantisation makes the MatMuls themselves int8
(per-channel weights, activations quantised per call), which embeds a sentence about 1.8 times
faster on a 2-core AVX2 machine, at cosine 0.99 to the shipped vectors; the grading benchmarks
do not move (README, "Grading"). Nothing is fetched: the copy is made from the installed
package's own weights and kept in the models folder, named by what it was made from.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from prep_agent.errors import EmbeddingModelError

# Bump when the recipe below changes, so an older copy is never reused.
RECIPE = "minilm-dynamic-qint8-per-channel-reduce-range-v1"
PREFIX = "minilm-l6-int8ops-"
BUILD_PREFIX = ".int8-build-"
INSTALL_HINT = "pip install 'onnx>=1.17'"


@functools.cache
def copy_key(source: Path) -> str:
    """What the copy depends on: the source file's bytes, the recipe and both ONNX versions."""
    import onnxruntime

    with source.open("rb") as src:
        digest = hashlib.file_digest(src, "sha256")
    try:
        onnx_version = version("onnx")
    except PackageNotFoundError:  # ensure_copy says how to install it
        onnx_version = "absent"
    digest.update(f"\n{RECIPE}\n{onnxruntime.__version__}\n{onnx_version}".encode())
    return digest.hexdigest()[:16]


def copy_path(models_dir: Path, source: Path) -> Path:
    """Where the int8 copy of source lives in models_dir."""
    return models_dir / f"{PREFIX}{copy_key(source)}.onnx"


def _remove_abandoned_builds(models_dir: Path, older_than_s: float = 3600.0) -> None:
    # A build killed half way leaves its folder (90 MB of folded weights); one untouched for an
    # hour is no other process's build in progress. Only our own prefix is ever removed.
    now = time.time()
    for stale in models_dir.glob(f"{BUILD_PREFIX}*"):
        if stale.is_dir() and now - stale.stat().st_mtime > older_than_s:
            shutil.rmtree(stale, ignore_errors=True)


class _DropAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


@contextlib.contextmanager
def _quiet_root_advice() -> Iterator[None]:
    # The quantiser logs advice meant for image models on the root logger; a user starting
    # the app would read it as a problem.
    drop = _DropAdvice()
    logging.getLogger().addFilter(drop)
    try:
        yield
    finally:
        logging.getLogger().removeFilter(drop)


def ensure_copy(models_dir: Path, source: Path) -> Path:
    """The int8 copy of source in models_dir, made on first use (a few seconds, once)."""
    target = copy_path(models_dir, source)
    if target.is_file():
        return target
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise EmbeddingModelError(
            f"Building the fast grading model needs the 'onnx' package ({exc}): run {INSTALL_HINT}"
        ) from exc
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_builds(models_dir)
        # A private folder per build, renamed into place last: a second process building at
        # the same time never reads half a file, and a failed build leaves nothing behind.
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=BUILD_PREFIX) as tmp:
            folded = Path(tmp) / "folded.onnx"
            # Constant folding turns the stored int8 weights and their Cast/Mul into plain
            # float weights, which the quantiser can then re-quantise per output channel.
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
            options.optimized_model_filepath = str(folded)
            ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
            built = Path(tmp) / "model.onnx"
            # reduce_range keeps weights to 7 bits: the AVX2 int8 kernels cannot overflow.
            with _quiet_root_advice():
                quantize_dynamic(
                    folded, built, weight_type=QuantType.QInt8, per_channel=True,
                    reduce_range=True,
                )
            os.replace(built, target)
    except OSError as exc:
        raise EmbeddingModelError(
            f"Cannot write the grading model to {models_dir}: {exc.strerror or exc}; free "
            "25 MB there or set PREP_AGENT_HOME to a writable directory"
        ) from exc
    return target
