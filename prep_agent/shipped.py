"""Model files shipped in PyPI packages: find a package's folder, join split parts, open ONNX."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


def package_dir(name: str) -> Path | None:
    """The installed folder of a package, found without importing it; None when absent."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def join_parts(parts: Sequence[Path], out: Path) -> str:
    """Write the parts one after another into out; returns the SHA-256 hex digest written."""
    digest = hashlib.sha256()
    with out.open("wb") as dst:
        for part in parts:
            with part.open("rb") as src:
                while block := src.read(CHUNK):
                    digest.update(block)
                    dst.write(block)
    return digest.hexdigest()


def cpu_session(model: Path, threads: int, spin: bool = True) -> Any:
    """An onnxruntime session of model on the CPU with `threads` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if not spin:
        # Idle pool threads otherwise spin for a while after each run, taking the cores that
        # other sessions (and the caller's own Python) need next.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model), sess_options=options,
                                providers=["CPUExecutionProvider"])
