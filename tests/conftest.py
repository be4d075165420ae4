"""Shared fixtures: every test gets its own data directory and never touches the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PROMPTS = ROOT / "prompts"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point PREP_AGENT_HOME at tmp_path and clear LLM settings so tests stay offline."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PREP_AGENT_HOME", str(home))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PREP_AGENT_ENGINE", "PREP_AGENT_MODEL",
                 "CHROMA_HOST", "CHROMA_PORT", "PREP_AGENT_SEEDS", "PREP_AGENT_PROMPTS"):
        monkeypatch.delenv(name, raising=False)
    yield home


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    """The real offline MiniLM encoder, loaded once per test run."""
    from prep_agent.embeddings import load_encoder

    return load_encoder()
